/**
 * `pnpm bench:sdk`: the client SDK's two benchmarks, on a real 3-region cluster started in this
 * process (test/replication/harness.ts: one nats-server per region, one region node per region;
 * eu's node as a child process so that it can be killed). Loopback only, bounded in time.
 *
 *   1. envelope encryption throughput with a warm data-key cache vs raw in-process AES-256-GCM, for
 *      4 KiB, 64 KiB and 1 MiB messages (bench/sdk-throughput.ts); design target >= 0.8x
 *   2. failover a caller sees when its home region's node is killed under load (bench/sdk-failover.ts);
 *      design target: under 1 s of errors
 *
 *   pnpm bench:sdk              5 rounds of 400 ms slices per size, 3 failovers (about 2 minutes)
 *   pnpm bench:sdk --quick      1 round of 200 ms slices, 1 failover (about 1 minute)
 *   options: --rounds N --slice-ms MS --failovers N --workers N --out FILE (default .bench/sdk-last.json)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { eventually, startTestCluster } from '../test/replication/harness.ts';
import { clusterUrls, nodeAsProcess, observedClient } from '../test/client/cluster-client-support.ts';
import { measureFailover, type FailoverResult } from './sdk-failover.ts';
import { measureThroughput, type ThroughputResult } from './sdk-throughput.ts';

interface Options {
  readonly rounds: number;
  readonly sliceMs: number;
  readonly failovers: number;
  readonly workers: number;
  readonly out: string;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string, fallback: number | string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] as string : String(fallback);
  };
  const int = (name: string, fallback: number) => {
    const parsed = Number(value(name, fallback));
    if (!Number.isSafeInteger(parsed) || parsed < 1) throw new RangeError(`--${name} must be a positive integer`);
    return parsed;
  };
  return {
    rounds: int('rounds', quick ? 1 : 5),
    sliceMs: int('slice-ms', quick ? 200 : 400),
    failovers: int('failovers', quick ? 1 : 3),
    workers: int('workers', 4),
    out: value('out', '.bench/sdk-last.json'),
  };
}

const fmt = (n: number | null, digits = 0) => (n === null ? 'n/a' : n.toFixed(digits));
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? null;

function report(throughput: readonly ThroughputResult[], failovers: readonly FailoverResult[]): string {
  const lines = ['', 'envelope encryption, warm data-key cache, vs raw in-process AES-256-GCM (median of rounds)', ''];
  lines.push('| message | raw encrypt MiB/s | envelope encrypt MiB/s | ratio | ratio in CPU time | raw decrypt MiB/s | envelope decrypt MiB/s | ratio | ratio in CPU time | service calls / envelope messages |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const t of throughput) {
    lines.push(`| ${t.messageBytes >= 2 ** 20 ? `${t.messageBytes / 2 ** 20} MiB` : `${t.messageBytes / 1024} KiB`} | ${fmt(t.rawEncryptMiBs)} | ${fmt(t.envelopeEncryptMiBs)} | ${fmt(t.encryptRatio, 2)} | ${fmt(t.encryptCpuRatio, 2)} | ${fmt(t.rawDecryptMiBs)} | ${fmt(t.envelopeDecryptMiBs)} | ${fmt(t.decryptRatio, 2)} | ${fmt(t.decryptCpuRatio, 2)} | ${t.serviceCalls} / ${t.envelopeMessages} |`);
  }
  lines.push('', 'failover when the home node is killed (SIGKILL) under load', '');
  lines.push('| run | failover ms | node exit ms | caller errors | error window ms | slowest call ms | calls before / after kill | return home ms |');
  lines.push('|---|---|---|---|---|---|---|---|');
  failovers.forEach((f, i) => {
    lines.push(`| ${i + 1} | ${fmt(f.failoverMs, 1)} | ${fmt(f.nodeExitMs, 1)} | ${f.callerErrors} | ${fmt(f.errorWindowMs)} | ${fmt(f.maxCallMs, 1)} | ${f.callsBeforeKill} / ${f.callsAfterKill} | ${fmt(f.returnHomeMs)} |`);
  });
  lines.push('', `median failover ${fmt(median(failovers.map((f) => f.failoverMs ?? Infinity)), 1)} ms, caller errors ${failovers.reduce((n, f) => n + f.callerErrors, 0)} in total`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  process.stdout.write(`bench:sdk: starting a 3-region cluster (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${cpus().length} CPUs)\n`);
  const cluster = await startTestCluster();
  const eu = await nodeAsProcess(cluster, 'eu');
  try {
    const urls = clusterUrls(cluster, { eu: eu.url });
    const observed = observedClient(urls, { homeRegion: 'eu', token: cluster.token });
    const { keyMetadata } = await observed.client.createKey({ idempotencyKey: `bench-sdk-${started.getTime()}`, description: 'bench:sdk' });
    // The key must be in every region before failover is measured, or a lagging region would look like a failure.
    for (const region of ['us', 'ap']) {
      await eventually(async () => ((await cluster.at(region).call('GET', `/v1/keys/${keyMetadata.keyId}`, undefined, cluster.token)).status === 200 ? true : undefined), 20_000, `key in ${region}`);
    }

    const regions = Object.entries(urls).map(([name, url]) => ({ name, url }));
    const throughput: ThroughputResult[] = [];
    for (const size of [4 * 1024, 64 * 1024, 1024 * 1024]) {
      process.stdout.write(`throughput, ${size / 1024} KiB messages ...\n`);
      throughput.push(await measureThroughput({ regions, token: cluster.token, keyId: keyMetadata.keyId }, size, options));
    }
    const failovers: FailoverResult[] = [];
    for (let run = 0; run < options.failovers; run++) {
      process.stdout.write(`failover ${run + 1} of ${options.failovers} ...\n`);
      failovers.push(await measureFailover(observed, keyMetadata.keyId, eu, { workers: options.workers, beforeMs: 1_500, afterMs: 2_500 }));
    }
    observed.client.close();
    process.stdout.write(`${report(throughput, failovers)}\n`);
    const out = path.resolve(options.out);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify({ startedAt: started.toISOString(), options, loadavg: loadavg(), cpus: cpus().length, throughput, failovers }, null, 2)}\n`);
    process.stdout.write(`\nresults: ${out}\n`);
  } finally {
    await eu.kill();
    await cluster.stop();
  }
}

await main();
