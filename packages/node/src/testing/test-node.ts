/**
 * Starts a real region node in this process for tests: its own temp data folder, port 0 on
 * 127.0.0.1, a manual clock, and every log line captured so that tests can scan them.
 */
import { Writable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { ManualClock, tempDir } from '@latchkey/testkit';
import { parseConfig } from '../config.ts';
import { startRegionNode, type RegionNode } from '../region-node.ts';

export interface TestNode {
  readonly node: RegionNode;
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  readonly clock: ManualClock;
  readonly logs: string[];
  call(method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string>; rawBody?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  restart(): Promise<TestNode>;
  close(): Promise<void>;
}

export async function startTestNode(options: { env?: Record<string, string>; dataDir?: string; clock?: ManualClock } = {}): Promise<TestNode> {
  const dir = options.dataDir ? { path: options.dataDir, cleanup: async () => {} } : await tempDir('latchkey-node-');
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = parseConfig({ LATCHKEY_PORT: '0', LATCHKEY_DATA_DIR: dir.path, LATCHKEY_LOG_LEVEL: 'debug', ...options.env }, process.cwd());
  const node = await startRegionNode({ config, clock, logDestination: destination, defaultMetrics: false, lifecycleTimer: false });
  const token = (await readFile(config.adminTokenFile, 'utf8')).trim();
  const self: TestNode = {
    node, url: node.url, token, dataDir: dir.path, clock, logs,
    async call(method, path, body, callOptions = {}) {
      const headers: Record<string, string> = { ...callOptions.headers };
      const bearer = callOptions.token === undefined ? token : callOptions.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      let payload: string | undefined = callOptions.rawBody;
      if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const response = await fetch(node.url + path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // metrics and other text answers stay strings
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async restart() {
      await node.close();
      return startTestNode({ ...options, dataDir: dir.path, clock });
    },
    async close() {
      await node.close();
      if (!options.dataDir) await dir.cleanup();
    },
  };
  return self;
}

export const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');
export const unb64 = (text: string): Buffer => Buffer.from(text, 'base64');
