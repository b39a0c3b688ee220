/**
 * `pnpm start`: one region node, configured from the environment (the only place env is read).
 * `main.ts init`: create the region's root key and identity if missing, print the identity's
 * public keys as one JSON line (for pinning in the cluster file), and exit.
 */
import { LatchkeyError } from '@latchkey/core';
import { parseConfig, type NodeConfig } from './config.ts';
import { initRegion, startRegionNode } from './region-node.ts';

function fail(prefix: string, error: unknown, exitCode: number): never {
  const message = error instanceof LatchkeyError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`latchkey: ${prefix}${message}\n`);
  process.exit(exitCode);
}

async function serve(config: NodeConfig): Promise<void> {
  // Exit so that a supervisor restarts the node: it then rebuilds memory from the store and the stream.
  const node = await startRegionNode({ config, onFatal: () => process.exit(70) });
  process.stderr.write(`latchkey: region ${config.region} serving on ${node.url} (${node.changeLog.mode})\n`);
  void node.bootstrapped.then((created) => {
    process.stderr.write(`latchkey: admin token in ${config.adminTokenFile}${created ? ' (created now)' : ''}\n`);
  });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    node.log.info({ signal }, 'shutting down');
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  let config: NodeConfig;
  try {
    config = parseConfig(process.env, process.cwd());
  } catch (error) {
    fail('', error, 2);
  }
  if (process.argv[2] === 'init') {
    process.stdout.write(`${JSON.stringify(await initRegion(config))}\n`);
    return;
  }
  await serve(config);
}

main().catch((error: unknown) => fail('failed to start: ', error, 1));
