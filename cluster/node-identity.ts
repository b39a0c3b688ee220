/**
 * Step 4 of cluster:up: each region's identity. `main.ts init` creates (or, on a later run, reads
 * back) the region's transport and signing key pairs in its data folder and prints the public
 * halves as one JSON line. It needs no NATS and no port.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { ClusterError } from './cluster-error.ts';
import { parseInitOutput, type RegionIdentity } from './cluster-file.ts';
import { nodeBaseEnv } from './node-env.ts';

export interface InitOptions {
  readonly region: string;
  readonly dataDir: string;
  readonly execPath: string;
  readonly nodeEntry: string;
  readonly repoRoot: string;
  readonly timeoutMs?: number;
}

export interface InitRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why we ended it early, if we did. */
  readonly abandoned: string | null;
}

/**
 * Runs `<entry> init` and collects its output. A node that does not know `init` yet would start
 * serving instead of exiting; we notice its "serving on" line (or the time-out) and end it, rather
 * than wait. LATCHKEY_PORT=0 keeps such a node off any fixed port meanwhile.
 */
export function runInit(options: InitOptions): Promise<InitRun> {
  const env = { ...nodeBaseEnv(process.env), LATCHKEY_REGION: options.region, LATCHKEY_DATA_DIR: options.dataDir, LATCHKEY_PORT: '0', LATCHKEY_HOST: '127.0.0.1' };
  const child = spawn(options.execPath, [options.nodeEntry, 'init'], { cwd: options.repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let abandoned: string | null = null;
  const abandon = (why: string): void => {
    if (abandoned !== null) return;
    abandoned = why;
    child.kill('SIGKILL');
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => abandon(`it did not exit within ${timeoutMs / 1000} s`), timeoutMs);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (/serving on/.test(stderr)) abandon('it started serving instead of running init (this node has no init subcommand)');
  });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}`, abandoned: `could not run it: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, abandoned });
    });
  });
}

export async function initRegion(options: InitOptions): Promise<RegionIdentity> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const run = await runInit(options);
  const command = `LATCHKEY_REGION=${options.region} LATCHKEY_DATA_DIR=${options.dataDir} node ${options.nodeEntry} init`;
  if (run.abandoned !== null || run.code !== 0) {
    const why = run.abandoned ?? `it exited with ${run.signal ?? `code ${String(run.code)}`}`;
    throw new ClusterError(`node init for ${options.region} failed: ${why}.\n  command: ${command}\n  stderr: ${run.stderr.trim().slice(-2000) || '(empty)'}`);
  }
  return parseInitOutput(options.region, run.stdout);
}
