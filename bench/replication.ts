/**
 * `pnpm bench:replication`: replication lag and convergence on a real local cluster.
 *
 * Brings up a fresh 3-region deployment with `cluster/up.ts` (separate processes: 3 nats-servers,
 * 3 region nodes), creates a pool of keys, then:
 *   1. steady: key changes (tag updates, spread over keys and regions) at a fixed rate for a fixed
 *      time, open loop with a bound on requests in flight; lag is each region's own
 *      publish-to-apply histogram (latchkey_replication_apply_delay_seconds), read as the
 *      difference of /metrics before and after, so it counts exactly the changes of this phase;
 *   2. burst: as many changes as fast as possible; convergence is the time from the last
 *      acknowledgement until every region reports the same digest with nothing pending and every
 *      key version confirmed (`unconfirmedKeys` 0).
 * Loopback only; every loop is bounded and stops by itself. Prints a table and writes
 * .bench/replication.json.
 *
 *   pnpm bench:replication [--rate 500] [--seconds 20] [--burst 2000] [--keys 200] [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '20' }, burst: { type: 'string', default: '2000' },
    keys: { type: 'string', default: '200' }, inflight: { type: 'string', default: '64' }, quick: { type: 'boolean', default: false },
    base: { type: 'string', default: path.join(REPO, '.bench', 'replication-cluster') },
  },
});
const quick = values.quick;
const rate = Number(values.rate);
const seconds = quick ? 5 : Number(values.seconds);
const burst = quick ? 300 : Number(values.burst);
const keyCount = quick ? 30 : Number(values.keys);
const inflightMax = Number(values.inflight);
const base = path.resolve(values.base);

interface Region { name: string; url: string }

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

let pids: { nodes: number[]; nats: number[] } = { nodes: [], nats: [] };
const cpuOf = (list: number[]): number => list.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

function run(script: string, args: string[]): void {
  const result = spawnSync(process.execPath, [path.join(REPO, script), ...args], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new TypeError(`${script} ${args.join(' ')} exited ${result.status}`);
}

let token = '';
/**
 * node:http with keep-alive rather than fetch: the load generator shares the two cores with the
 * cluster, and fetch (undici) costs it about 0.15 ms more CPU per request.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
function call(url: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  return new Promise((resolve, reject) => {
    const request = http.request(url + p, { method, agent, headers, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${p} timed out`)));
    request.on('error', reject);
    request.end(payload);
  });
}

type Buckets = Map<number, number>;
async function applyDelayBuckets(region: Region): Promise<Buckets> {
  const text = await (await fetch(`${region.url}/metrics`)).text();
  const buckets: Buckets = new Map();
  for (const m of text.matchAll(/^latchkey_replication_apply_delay_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/gm)) {
    buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/** Quantile from cumulative histogram deltas, linear inside the bucket (as Prometheus does). */
function quantileMs(before: Buckets, after: Buckets, q: number): { valueMs: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total === 0) return { valueMs: NaN, count: 0 };
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if ((cumulative[i] as number) >= rank) {
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      if (!Number.isFinite(upper)) return { valueMs: lower * 1000, count: total };
      const below = i === 0 ? 0 : (cumulative[i - 1] as number);
      const inBucket = (cumulative[i] as number) - below;
      return { valueMs: (lower + (upper - lower) * (inBucket === 0 ? 1 : (rank - below) / inBucket)) * 1000, count: total };
    }
  }
  return { valueMs: NaN, count: total };
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

async function change(regions: Region[], keys: string[], i: number): Promise<{ ok: boolean; ms: number }> {
  const region = regions[i % regions.length] as Region;
  const keyId = keys[(i * 7919) % keys.length] as string;
  const started = performance.now();
  try {
    const res = await call(region.url, 'POST', `/v1/keys/${keyId}/tags`, { tags: { n: String(i % 1000) } });
    return { ok: res.status === 200, ms: performance.now() - started };
  } catch {
    return { ok: false, ms: performance.now() - started };
  }
}

async function steady(regions: Region[], keys: string[]) {
  const before = await Promise.all(regions.map(applyDelayBuckets));
  const cpuBefore = { nodes: cpuOf(pids.nodes), nats: cpuOf(pids.nats) };
  const clientCpuBefore = process.cpuUsage();
  const total = rate * seconds;
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  let failures = 0;
  let inflight = 0;
  let skipped = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inflight >= inflightMax) {
      skipped += 1; // open loop: a change that cannot be sent on time is counted as not sent
      continue;
    }
    inflight += 1;
    pending.push(change(regions, keys, i).then((r) => {
      inflight -= 1;
      if (r.ok) latencies.push(r.ms);
      else failures += 1;
    }));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = { nodes: cpuOf(pids.nodes) - cpuBefore.nodes, nats: cpuOf(pids.nats) - cpuBefore.nats };
  const clientCpu = process.cpuUsage(clientCpuBefore);
  await new Promise((r) => setTimeout(r, 1000));
  const after = await Promise.all(regions.map(applyDelayBuckets));
  latencies.sort((a, b) => a - b);
  const perRegion = regions.map((region, i) => ({
    region: region.name,
    applied: quantileMs(before[i] as Buckets, after[i] as Buckets, 0.5).count,
    lagP50Ms: quantileMs(before[i] as Buckets, after[i] as Buckets, 0.5).valueMs,
    lagP99Ms: quantileMs(before[i] as Buckets, after[i] as Buckets, 0.99).valueMs,
  }));
  const merged = (which: 'before' | 'after'): Buckets => {
    const out: Buckets = new Map();
    for (const b of which === 'before' ? before : after) for (const [le, n] of b) out.set(le, (out.get(le) ?? 0) + n);
    return out;
  };
  return {
    targetRate: rate, seconds, sent: latencies.length + failures, acknowledged: latencies.length, failures, skippedForInflightBound: skipped,
    achievedRate: latencies.length / elapsedS,
    // CPU per acknowledged change over all three nodes and all three NATS servers: steadier than
    // rates on a shared machine, and it bounds what two idle cores could sustain.
    nodeCpuMsPerChange: (cpu.nodes * 1000) / Math.max(1, latencies.length),
    natsCpuMsPerChange: (cpu.nats * 1000) / Math.max(1, latencies.length),
    // This load generator shares the same cores: its CPU is not the cluster's, but it competes.
    clientCpuMsPerChange: (clientCpu.user + clientCpu.system) / 1000 / Math.max(1, latencies.length),
    writeLatencyP50Ms: percentile(latencies, 0.5), writeLatencyP99Ms: percentile(latencies, 0.99),
    lagP50Ms: quantileMs(merged('before'), merged('after'), 0.5).valueMs, lagP99Ms: quantileMs(merged('before'), merged('after'), 0.99).valueMs,
    perRegion,
  };
}

async function converged(regions: Region[]): Promise<boolean> {
  const digests = await Promise.all(regions.map((r) => call(r.url, 'GET', '/v1/cluster/digest')));
  const statuses = await Promise.all(regions.map((r) => call(r.url, 'GET', '/v1/cluster/status')));
  return new Set(digests.map((d) => d.body.digest)).size === 1 && statuses.every((s) => s.body.pending === 0 && (s.body.unconfirmedKeys ?? 0) === 0);
}

async function burstPhase(regions: Region[], keys: string[]) {
  const started = performance.now();
  let next = 0;
  let acknowledged = 0;
  const worker = async () => {
    while (next < burst) {
      const i = next++;
      if ((await change(regions, keys, 1_000_000 + i)).ok) acknowledged += 1;
    }
  };
  await Promise.all(Array.from({ length: inflightMax }, worker));
  const lastAckMs = performance.now();
  const deadline = lastAckMs + 60_000;
  while (!(await converged(regions))) {
    if (performance.now() > deadline) return { changes: burst, acknowledged, burstSeconds: (lastAckMs - started) / 1000, convergeMs: null };
    await new Promise((r) => setTimeout(r, 20));
  }
  return { changes: burst, acknowledged, burstSeconds: (lastAckMs - started) / 1000, ratePerSecond: acknowledged / ((lastAckMs - started) / 1000), convergeMs: performance.now() - lastAckMs };
}

async function main(): Promise<void> {
  await rm(base, { recursive: true, force: true });
  run('cluster/up.ts', ['--base', base]);
  try {
    const manifest = JSON.parse(await readFile(path.join(base, 'manifest.json'), 'utf8'));
    token = manifest.adminToken;
    pids = { nodes: manifest.regions.map((r: { pid: number }) => r.pid), nats: manifest.regions.map((r: { natsPid: number }) => r.natsPid) };
    const regions: Region[] = manifest.regions.map((r: Region) => ({ name: r.name, url: r.url }));
    const keys: string[] = [];
    for (let i = 0; i < keyCount; i++) {
      const res = await call((regions[i % regions.length] as Region).url, 'POST', '/v1/keys', { description: `bench ${i}` });
      keys.push(res.body.keyMetadata.keyId);
    }
    while (!(await converged(regions))) await new Promise((r) => setTimeout(r, 50));
    const steadyResult = await steady(regions, keys);
    const burstResult = await burstPhase(regions, keys);
    const result = { date: new Date().toISOString(), node: process.version, regions: regions.map((r) => r.name), keys: keyCount, steady: steadyResult, burst: burstResult };
    await mkdir(path.join(REPO, '.bench'), { recursive: true });
    await writeFile(path.join(REPO, '.bench', 'replication.json'), JSON.stringify(result, null, 2));
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
    console.log('\nreplication, 3 regions on one machine (R3 stream)');
    console.log(`steady: target ${rate}/s for ${seconds}s; acknowledged ${steadyResult.acknowledged} (${f(steadyResult.achievedRate)}/s), failures ${steadyResult.failures}, not sent (in-flight bound) ${steadyResult.skippedForInflightBound}`);
    console.log(`  write latency p50 ${f(steadyResult.writeLatencyP50Ms)} ms, p99 ${f(steadyResult.writeLatencyP99Ms)} ms`);
    const perChange = steadyResult.nodeCpuMsPerChange + steadyResult.natsCpuMsPerChange;
    console.log(`  CPU per change: nodes ${f(steadyResult.nodeCpuMsPerChange)} ms + NATS ${f(steadyResult.natsCpuMsPerChange)} ms = ${f(perChange)} ms (two idle cores: at most ~${f(2000 / perChange)} changes/s); this load generator ${f(steadyResult.clientCpuMsPerChange)} ms more`);
    console.log(`  replication lag (publish -> apply, all regions) p50 ${f(steadyResult.lagP50Ms)} ms, p99 ${f(steadyResult.lagP99Ms)} ms   target p99 < 50 ms`);
    for (const r of steadyResult.perRegion) console.log(`    ${r.region}: applied ${r.applied}, p50 ${f(r.lagP50Ms)} ms, p99 ${f(r.lagP99Ms)} ms`);
    console.log(`burst: ${burstResult.acknowledged}/${burstResult.changes} changes in ${f(burstResult.burstSeconds)} s; all regions converged ${burstResult.convergeMs === null ? 'NOT within 60 s' : `${f(burstResult.convergeMs)} ms after the last acknowledgement`}`);
  } finally {
    agent.destroy();
    run('cluster/down.ts', ['--base', base, '--purge']);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
