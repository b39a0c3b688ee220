/**
 * A real replicated deployment inside the test process: one nats-server per region forming one
 * JetStream cluster (testkit), and one region node per region on its own LevelDB and port, all on
 * 127.0.0.1. The first region starts first and creates the admin token; the others adopt it
 * through the stream.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { startNatsCluster, tempDir, type NatsCluster } from '@latchkey/testkit';
import { initRegion, parseConfig, startRegionNode, type RegionNode } from '@latchkey/node';

export interface Reply {
  readonly status: number;
  readonly body: any;
}

export interface ClusterNode {
  readonly region: string;
  node: RegionNode;
  readonly dataDir: string;
  readonly logs: string[];
  call(method: string, urlPath: string, body?: unknown, token?: string): Promise<Reply>;
}

export interface TestCluster {
  readonly nats: NatsCluster;
  readonly base: string;
  readonly regions: readonly string[];
  readonly token: string;
  readonly nodes: Map<string, ClusterNode>;
  at(region: string): ClusterNode;
  restartNode(region: string, options?: { wipeStore?: boolean }): Promise<ClusterNode>;
  /** The environment a region's node runs with (to start it as a separate process). */
  envOf(region: string): Record<string, string>;
  stopNode(region: string): Promise<void>;
  waitConverged(timeoutMs?: number): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

const CREDENTIALS = { user: 'latchkey', password: 'test-password-not-secret' };

function envFor(region: string, dir: string, natsUrls: string[], clusterFile: string, extra: Record<string, string>): Record<string, string> {
  return {
    LATCHKEY_REGION: region, LATCHKEY_PORT: '0', LATCHKEY_DATA_DIR: dir, LATCHKEY_LOG_LEVEL: 'info',
    LATCHKEY_NATS_URLS: natsUrls.join(','), LATCHKEY_NATS_USER: CREDENTIALS.user, LATCHKEY_NATS_PASSWORD: CREDENTIALS.password,
    LATCHKEY_CLUSTER_FILE: clusterFile, LATCHKEY_PUBLISH_TIMEOUT_MS: '4000', ...extra,
  };
}

async function startNode(region: string, env: Record<string, string>, dir: string): Promise<ClusterNode> {
  const logs: string[] = [];
  const destination = new Writable({ write(chunk, _e, done) { logs.push(String(chunk)); done(); } });
  const node = await startRegionNode({ config: parseConfig(env, process.cwd()), logDestination: destination, defaultMetrics: false, lifecycleTimer: false });
  const self: ClusterNode = {
    region, node, dataDir: dir, logs,
    async call(method, urlPath, body, token) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(self.node.url + urlPath, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
  };
  return self;
}

export async function startTestCluster(options: { regions?: string[]; env?: Record<string, string> } = {}): Promise<TestCluster> {
  const regions = options.regions ?? ['eu', 'us', 'ap'];
  const dir = await tempDir('latchkey-cluster-');
  const nats = await startNatsCluster({ regions, baseDir: path.join(dir.path, 'nats'), credentials: CREDENTIALS });
  const clusterFile = path.join(dir.path, 'cluster.json');
  const pinned: Record<string, { transportPublicKey: string; signingPublicKey: string }> = {};
  const envs = new Map<string, Record<string, string>>();
  for (const region of regions) {
    const dataDir = path.join(dir.path, 'nodes', region);
    const own = nats.server(region).clientUrl;
    const env = envFor(region, dataDir, [own, ...nats.urls.filter((u) => u !== own)], clusterFile, options.env ?? {});
    envs.set(region, env);
    const identity = await initRegion(parseConfig(env, process.cwd()));
    pinned[region] = { transportPublicKey: identity.transportPublicKey, signingPublicKey: identity.signingPublicKey };
  }
  await writeFile(clusterFile, JSON.stringify({ regions: pinned, streamReplicas: Math.min(3, regions.length) }));
  const nodes = new Map<string, ClusterNode>();
  const first = regions[0] as string;
  nodes.set(first, await startNode(first, envs.get(first) as Record<string, string>, path.join(dir.path, 'nodes', first)));
  await (nodes.get(first) as ClusterNode).node.bootstrapped;
  const token = (await readFile(path.join(dir.path, 'nodes', first, 'admin.token'), 'utf8')).trim();
  for (const region of regions.slice(1)) nodes.set(region, await startNode(region, envs.get(region) as Record<string, string>, path.join(dir.path, 'nodes', region)));

  // Every region must know the admin token before tests use it anywhere.
  for (const node of nodes.values()) {
    await eventually(async () => ((await node.call('GET', '/v1/whoami', undefined, token)).status === 200 ? true : undefined), 30_000, `token in ${node.region}`);
  }

  const cluster: TestCluster = {
    nats, base: dir.path, regions, token, nodes,
    at(region) {
      const node = nodes.get(region);
      if (!node) throw new TypeError(`no node for region ${region}`);
      return node;
    },
    envOf(region) {
      return { ...(envs.get(region) as Record<string, string>) };
    },
    async stopNode(region) {
      await cluster.at(region).node.close();
    },
    async restartNode(region, restartOptions = {}) {
      const dataDir = path.join(dir.path, 'nodes', region);
      if (restartOptions.wipeStore) {
        const { rm } = await import('node:fs/promises');
        await rm(path.join(dataDir, 'store'), { recursive: true, force: true });
      }
      const fresh = await startNode(region, envs.get(region) as Record<string, string>, dataDir);
      nodes.set(region, fresh);
      return fresh;
    },
    async waitConverged(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, any> = {};
      while (Date.now() < deadline) {
        last = {};
        for (const region of regions) last[region] = (await cluster.at(region).call('GET', '/v1/cluster/digest', undefined, token)).body;
        const digests = new Set(Object.values(last).map((d) => d?.digest));
        const seqs = new Set(Object.values(last).map((d) => d?.appliedSeq));
        const confirmed = Object.values(last).every((d) => d?.unconfirmedKeys === 0);
        if (digests.size === 1 && !digests.has(undefined) && seqs.size === 1 && confirmed) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Name the items that differ, with what each region holds of them, for the postmortem.
      const differing = new Set<string>();
      for (const d of Object.values(last)) {
        for (const [id, digest] of Object.entries(d?.keys ?? {})) {
          if (Object.values(last).some((other) => other?.keys?.[id] !== digest)) differing.add(id);
        }
      }
      const detail = [...differing].slice(0, 5).map((id) => ({ id, ...Object.fromEntries(regions.map((r) => [r, last[r]?.keyVersions?.[id] ?? null])) }));
      throw new TypeError(`regions did not converge within ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(Object.entries(last).map(([r, d]) => [r, { seq: d?.appliedSeq, digest: d?.digest }])))}; differing keys (current version per region): ${JSON.stringify(detail)}`);
    },
    async stop() {
      for (const node of nodes.values()) await node.node.close().catch(() => undefined);
      await nats.stop();
      await dir.cleanup();
    },
  };
  return cluster;
}

export const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString('base64');

/** Polls until `probe` answers a non-undefined value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new TypeError(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * One test cluster for the test file: started before its tests, stopped after them. The returned
 * object stands for it (every property is read from the running cluster at the time of use).
 */
export function useTestCluster(options: Parameters<typeof startTestCluster>[0] = {}): TestCluster {
  let started: TestCluster | undefined;
  beforeAll(async () => {
    started = await startTestCluster(options);
  }, 90_000);
  afterAll(async () => {
    await started?.stop();
  }, 60_000);
  return new Proxy({} as TestCluster, {
    get(_target, property) {
      if (!started) throw new TypeError('the test cluster is not started yet (use it inside tests or hooks)');
      const value = Reflect.get(started, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}
