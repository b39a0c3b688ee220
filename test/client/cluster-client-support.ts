/**
 * Helpers for SDK tests against a real cluster (test/replication/harness.ts): a client of every
 * region with timestamped events, a region node run as a child process on a fixed port (so that it
 * can be killed with SIGKILL and restarted at the same URL, as a real region comes back), and a
 * proxy that delivers requests but drops their answers (an outcome the caller cannot know).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@latchkey/testkit';
import { LatchkeyClient, type ClientEvent, type RegionalOptions } from '@latchkey/client';
import { seededRandom } from '../../packages/client/src/testing/seeded-random.ts';
import { eventually, type TestCluster } from '../replication/harness.ts';
import { call, spawnNode, type NodeProcess } from '../replication/node-process.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);

export interface StampedEvent {
  readonly atMs: number;
  readonly event: ClientEvent;
}

export interface ObservedClient {
  readonly client: LatchkeyClient;
  readonly events: StampedEvent[];
  /** Regions of the successful attempts of `operations` (all operations when omitted). */
  okRegions(operations?: readonly string[]): string[];
  attempts(operations: readonly string[], region: string): StampedEvent[];
}

export function observedClient(urls: Record<string, string>, options: Partial<RegionalOptions> & { homeRegion: string; token: string }): ObservedClient {
  const events: StampedEvent[] = [];
  const client = new LatchkeyClient({
    regions: Object.entries(urls).map(([name, url]) => ({ name, url })),
    timeoutMs: 2_000,
    health: { probeIntervalMs: 100 },
    ...options,
    // Backoff jitter from a seeded source, never Math.random, so that a run can be replayed.
    ports: { random: seededRandom(SEED), ...options.ports },
    onEvent: (event) => events.push({ atMs: performance.now(), event }),
  });
  const matches = (e: ClientEvent, operations?: readonly string[]) => e.type === 'call' && (operations === undefined || operations.includes(e.operation));
  return {
    client, events,
    okRegions: (operations) => events.flatMap(({ event: e }) => (matches(e, operations) && e.type === 'call' && e.outcome === 'ok' ? [e.region] : [])),
    attempts: (operations, region) => events.filter(({ event: e }) => matches(e, operations) && e.type === 'call' && e.region === region),
  };
}

export function clusterUrls(c: TestCluster, overrides: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(c.regions.map((region) => [region, overrides[region] ?? c.at(region).node.url]));
}

/** A region's node as a child process on a port that survives restarts. */
export interface RestartableNode {
  readonly url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export async function nodeAsProcess(c: TestCluster, region: string): Promise<RestartableNode> {
  await c.stopNode(region);
  const port = await freePort();
  let current: NodeProcess | null = null;
  const node: RestartableNode = {
    url: `http://127.0.0.1:${port}`,
    async kill() {
      await current?.kill('SIGKILL');
      current = null;
    },
    async start() {
      current = await spawnNode(c.envOf(region), port);
      await eventually(async () => ((await call(node.url, 'GET', '/v1/whoami', c.token)).status === 200 ? true : undefined), 30_000, `${region} process ready`);
    },
  };
  await node.start();
  return node;
}

/** Forwards requests to `target`, and in 'drop-answer' mode lets the node answer but hangs up on the caller. */
export interface DroppingProxy {
  readonly url: string;
  mode: 'forward' | 'drop-answer';
  /** Requests that reached the node through the proxy, as `METHOD path`. */
  readonly delivered: string[];
  close(): Promise<void>;
}

async function body(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function droppingProxy(target: string): Promise<DroppingProxy> {
  const proxy: DroppingProxy = { url: '', mode: 'forward', delivered: [], close: async () => undefined };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const payload = await body(request);
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
      const answer = await fetch(target + (request.url ?? '/'), { method: request.method, headers, ...(payload.length > 0 ? { body: payload } : {}) });
      const text = Buffer.from(await answer.arrayBuffer());
      proxy.delivered.push(`${request.method} ${request.url}`);
      if (proxy.mode === 'drop-answer') return void request.socket.destroy();
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
    })().catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(proxy, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
  return proxy;
}
