/**
 * A small closed-loop HTTP/1.1 load generator for one fixed request, run in its own process.
 *
 * Why not autocannon: on these 2-core machines the load generator gets one core, and autocannon
 * (an HTTP parser written in JS, per-request objects, millisecond latency buckets) saturates that
 * core at about 30k req/s, below what a bare node:http server answers; it would hide part of the
 * gap being measured. This one writes a pre-built request Buffer on each keep-alive connection,
 * scans the answer only for its status and Content-Length, and records every latency in
 * microseconds. `--loadgen wrk` (Debian's wrk) and `--loadgen autocannon` cross-check it.
 *
 *   node bench/loadgen.ts '<json LoadSpec>'   → prints one JSON LoadResult line on stdout
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { coreTimes, coresBusyBetween, cpuSeconds } from './proc-stats.ts';

export interface LoadSpec {
  readonly port: number;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** The server's process (its descendants included): its CPU time over the measured window is reported. */
  readonly serverPid?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly firstNon2xxBody: string | null;
  /** CPU seconds (user + system) of the server tree and of this process over the measured window (NaN if unknown). */
  readonly serverCpuSeconds: number;
  readonly loadgenCpuSeconds: number;
  /** Busy share of each CPU over the measured window (softirq, i.e. loopback TCP, included). */
  readonly coresBusy: number[];
  /** Every answer this run received, warm-up included (to turn a CPU profile into time per request). */
  readonly answered?: number;
  /** Latencies as sparse log buckets (see bucketOf), so that segments can be merged exactly enough. */
  readonly histogram?: Readonly<Record<string, number>>;
}

/** Bucket i holds latencies from 1.02^i to 1.02^(i+1) microseconds (2% resolution). */
export const BUCKET_BASE = 1.02;
export function bucketOf(ms: number): number {
  return Math.floor(Math.log(Math.max(1, ms * 1000)) / Math.log(BUCKET_BASE));
}
export function bucketUpperMs(index: number): number {
  return BUCKET_BASE ** (index + 1) / 1000;
}

const HEADER_END = Buffer.from('\r\n\r\n');

function requestBuffer(spec: LoadSpec): Buffer {
  const body = Buffer.from(spec.body);
  const lines = [`POST ${spec.path} HTTP/1.1`, `host: 127.0.0.1:${spec.port}`, 'connection: keep-alive'];
  for (const [name, value] of Object.entries(spec.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Status and total length of the answer at the start of `buf`, or null while its head is incomplete. */
function frame(buf: Buffer): { status: number; total: number } | null {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return null;
  const head = buf.toString('latin1', 0, end).toLowerCase();
  const at = head.indexOf('\r\ncontent-length:');
  if (at < 0) throw new Error(`an answer without Content-Length: ${head.slice(0, 200)}`);
  const length = Number.parseInt(head.slice(at + 17, head.indexOf('\r\n', at + 2) >>> 0 || undefined), 10);
  return { status: Number(head.slice(9, 12)), total: end + 4 + length };
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const request = requestBuffer(spec);
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  let answered = 0;
  let non2xx = 0;
  let errors = 0;
  let firstNon2xxBody: string | null = null;
  let measuring = false;
  let stopped = false;
  const sockets: net.Socket[] = [];

  const record = (ms: number) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };

  const open = () => {
    const socket = net.connect({ host: '127.0.0.1', port: spec.port, noDelay: true });
    sockets.push(socket);
    let pending: Buffer | null = null;
    let sentAt = 0;
    const send = () => {
      if (stopped) return;
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('data', (chunk: Buffer) => {
      const buf: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      const parsed = frame(buf);
      if (parsed === null || buf.length < parsed.total) {
        pending = buf;
        return;
      }
      if (buf.length > parsed.total) throw new Error('more bytes than one answer: the server pipelined or the framing is wrong');
      pending = null;
      answered += 1;
      if (measuring) {
        record(performance.now() - sentAt);
        if (parsed.status < 200 || parsed.status > 299) {
          non2xx += 1;
          firstNon2xxBody ??= buf.toString('utf8', 0, Math.min(buf.length, 600));
        }
      }
      send();
    });
    socket.on('error', () => {
      if (!stopped) errors += 1;
    });
    socket.on('close', () => {
      if (!stopped) {
        errors += 1;
        setTimeout(open, 10);
      }
    });
  };

  for (let i = 0; i < spec.connections; i += 1) open();

  return new Promise((resolve) => {
    setTimeout(() => {
      const serverBefore = spec.serverPid ? cpuSeconds(spec.serverPid) : Number.NaN;
      const selfBefore = process.cpuUsage();
      const coresBefore = coreTimes();
      measuring = true;
      const started = performance.now();
      setTimeout(() => {
        measuring = false;
        stopped = true;
        const seconds = (performance.now() - started) / 1000;
        const serverCpuSeconds = spec.serverPid ? cpuSeconds(spec.serverPid) - serverBefore : Number.NaN;
        const self = process.cpuUsage(selfBefore);
        const coresBusy = coresBusyBetween(coresBefore, coreTimes());
        for (const socket of sockets) socket.destroy();
        const sorted = latencies.subarray(0, count).sort();
        const at = (q: number) => (count === 0 ? Number.NaN : (sorted[Math.min(count - 1, Math.floor(q * count))] as number));
        const histogram: Record<string, number> = {};
        for (const ms of sorted) {
          const key = String(bucketOf(ms));
          histogram[key] = (histogram[key] ?? 0) + 1;
        }
        resolve({
          requests: count, seconds, rps: count / seconds, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1),
          non2xx, errors, firstNon2xxBody, serverCpuSeconds, loadgenCpuSeconds: (self.user + self.system) / 1e6, coresBusy, answered, histogram,
        });
      }, spec.durationMs);
    }, spec.warmupMs);
  });
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  runLoad(spec).then((result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }, (error: unknown) => {
    process.stderr.write(`loadgen: ${String(error)}\n`);
    process.exit(1);
  });
}
