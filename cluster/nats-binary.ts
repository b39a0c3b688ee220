/**
 * Finding nats-server, and installing it from Debian's packages when we are allowed to: only as
 * root with apt-get present. Anywhere else we say how to install it rather than guess (sudo may
 * prompt, other distributions differ).
 */
import { spawnSync } from 'node:child_process';
import { firstExecutable, NATS_SERVER_DEBIAN_PATH as DEBIAN_PATH, natsServerCandidates } from '@latchkey/testkit';
import { ClusterError } from './cluster-error.ts';

/** The first nats-server on `path` (a PATH value), else Debian's (outside an ordinary user's PATH); null if none. */
export function findNatsServer(path = process.env.PATH ?? ''): string | null {
  return firstExecutable(natsServerCandidates(path));
}

const INSTALL_HINT =
  'nats-server is not installed. Install it and run again:\n' +
  '  Debian/Ubuntu: sudo apt-get install -y nats-server\n' +
  '  elsewhere:     https://docs.nats.io/running-a-nats-service/introduction/installation (2.9 or newer)';

function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function ensureNatsServer(log: (line: string) => void): string {
  const found = findNatsServer();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !commandExists('apt-get')) throw new ClusterError(INSTALL_HINT);
  log('nats-server is missing; installing it with apt-get (Debian package nats-server)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Output goes to our stderr so that the operator sees apt's progress and any error.
  for (const args of [['update'], ['install', '-y', 'nats-server']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env });
    if (result.status !== 0) throw new ClusterError(`apt-get ${args.join(' ')} failed (${result.status ?? result.signal}).\n${INSTALL_HINT}`);
  }
  const installed = findNatsServer();
  if (!installed) throw new ClusterError(`apt-get installed nats-server but it is not on PATH nor at ${DEBIAN_PATH}.\n${INSTALL_HINT}`);
  return installed;
}
