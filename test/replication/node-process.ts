/**
 * A region node as a real child process (for kill -9): same environment as the in-process node of
 * that region, a fixed free port, output collected for diagnosis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@latchkey/testkit';

export interface NodeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnNode(env: Record<string, string>, port?: number): Promise<NodeProcess> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, ['packages/node/src/main.ts'], {
    cwd: process.cwd(), env: { ...process.env, ...env, LATCHKEY_PORT: String(chosen) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new TypeError(`node did not start: ${output.join('').slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url, child, output,
    kill(signal = 'SIGKILL') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
}

export async function call(url: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url + path, {
    method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
