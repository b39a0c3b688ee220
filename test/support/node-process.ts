/**
 * A real region node as its own OS process (`node packages/node/src/main.ts`), configured only
 * through the environment as an operator would, with everything it prints captured. Tests use it
 * where an in-process node cannot prove the point: SIGKILL durability, and what reaches stdout,
 * stderr and the data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../packages/testkit/src/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE_MAIN = path.join(REPO_ROOT, 'packages/node/src/main.ts');
const READY_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

export interface NodeProcess {
  readonly url: string;
  readonly dataDir: string;
  /** The admin bearer token the node wrote to <dataDir>/admin.token. */
  readonly token: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far, as bytes. */
  output(): Buffer;
  /** SIGTERM, then wait (bounded) for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL now (synchronously sent), then wait for the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Kills every node process this module started that is still alive (for afterAll). */
export async function killAllNodeProcesses(): Promise<void> {
  await Promise.all([...running].map(async (child) => {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }));
}

async function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`node process ${child.pid} did not exit within ${EXIT_TIMEOUT_MS} ms`)), EXIT_TIMEOUT_MS);
  });
  try {
    const [code, signal] = await Promise.race([exited, timeout]);
    return { code, signal };
  } finally {
    clearTimeout(timer);
  }
}

async function untilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node process exited during start-up:\n${output()}`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`node process not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

async function startOnce(dataDir: string, port: number, env: Record<string, string | undefined>): Promise<NodeProcess> {
  const chunks: Buffer[] = [];
  const child = spawn(process.execPath, [NODE_MAIN], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      LATCHKEY_PORT: String(port),
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_LOG_LEVEL: 'debug',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const output = () => Buffer.concat(chunks);
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReady(url, child, () => output().toString('utf8'));
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await waitForExit(child).catch(() => undefined);
    throw error;
  }
  const token = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
  return {
    url, dataDir, token, pid: child.pid ?? -1, output,
    async stop() {
      child.kill('SIGTERM');
      return waitForExit(child);
    },
    async kill() {
      child.kill('SIGKILL');
      return waitForExit(child);
    },
  };
}

/**
 * Starts a node on a free loopback port; retries with another port if one was taken meanwhile.
 * `compileCacheDir` (Node's NODE_COMPILE_CACHE) makes every start after the first one faster.
 */
export async function startNodeProcess(options: { dataDir: string; env?: Record<string, string>; compileCacheDir?: string }): Promise<NodeProcess> {
  let lastError: unknown;
  const env = { ...options.env, ...(options.compileCacheDir ? { NODE_COMPILE_CACHE: options.compileCacheDir } : {}) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options.dataDir, await freePort(), env);
    } catch (error) {
      lastError = error;
      if (!String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
  throw lastError;
}

/** A JSON call to a node; the answer body parsed when it is JSON. */
export async function callJson(
  url: string, token: string | null, method: string, route: string, body?: unknown,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url + route, {
    method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}
