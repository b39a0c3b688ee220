/**
 * `pnpm bench:aws`: requests/s of Encrypt (32 bytes, AES-256-GCM) and Sign (ECDSA P-256) through
 * the AWS KMS-compatible endpoint with SigV4 verification on, against the same operations on the
 * native API, in one run, 64 requests in flight.
 *
 * Every party runs in its own process: the region node (packages/node/src/main.ts) and, for each
 * measurement, a fresh closed-loop load generator (bench/loadgen.ts) on 127.0.0.1 only. With
 * taskset and two or more CPUs the node is pinned to CPU 0 and the load generator to CPU 1. Rounds
 * alternate which endpoint goes first; ratios are taken inside a round, then the median is reported.
 *
 *   pnpm bench:aws              3 rounds of 10 s measurements after 2 s warm-ups (about 2.5 minutes)
 *   pnpm bench:aws --quick      1 round of 2 s measurements (about 15 s)
 *   options: --rounds N  --duration S  --warmup S  --connections N  --out FILE (default .bench/aws.json)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { awsRequest, checkOnce, nativeRequest, type BenchKeys, type BenchRequest, type Operation } from './aws-requests.ts';
import type { LoadResult, LoadSpec } from './loadgen.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH_DIR, '..');
const OPERATIONS: readonly Operation[] = ['Encrypt', 'Sign'];
type Endpoint = 'native' | 'aws';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false }, rounds: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' },
    connections: { type: 'string', default: '64' }, out: { type: 'string', default: path.join(REPO, '.bench/aws.json') },
  },
});
const options = {
  rounds: Number(flags.rounds ?? (flags.quick ? 1 : 3)),
  durationMs: Number(flags.duration ?? (flags.quick ? 2 : 10)) * 1000,
  warmupMs: Number(flags.warmup ?? (flags.quick ? 0.5 : 2)) * 1000,
  connections: Number(flags.connections),
  pin: spawnSync('taskset', ['-c', '0', 'true']).status === 0 && os.cpus().length >= 2,
};

const children = new Set<ChildProcess>();
function start(cpu: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const [command, ...rest] = options.pin ? ['taskset', '-c', cpu, ...args] : [...args];
  const child = spawn(command as string, rest, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
function stopAll(): void {
  for (const child of children) child.kill('SIGKILL');
}
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

function output(child: ChildProcess): { text: () => string } {
  let seen = '';
  child.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  return { text: () => seen };
}

async function startNode(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const env = { ...process.env, LATCHKEY_PORT: '0', LATCHKEY_HOST: '127.0.0.1', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_REGION: 'bench' };
  const child = start('0', [process.execPath, path.join(REPO, 'packages/node/src/main.ts')], env);
  const seen = output(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /serving on http:\/\/127\.0\.0\.1:(\d+)[\s\S]*admin token in/.exec(seen.text());
    if (match) return { child, port: Number(match[1]) };
    if (child.exitCode !== null || Date.now() > deadline) throw new TypeError(`the region node did not start: ${seen.text().slice(-1500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function admin(port: number, token: string, urlPath: string, body: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) throw new TypeError(`${urlPath} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

async function prepare(port: number, dataDir: string): Promise<BenchKeys> {
  const adminToken = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
  const appToken = (await admin(port, adminToken, '/v1/tokens', { principal: 'bench-app' })).token as string;
  const encryptKeyId = (await admin(port, adminToken, '/v1/keys', {})).keyMetadata.keyId as string;
  const signKeyId = (await admin(port, adminToken, '/v1/keys', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })).keyMetadata.keyId as string;
  const credential = await admin(port, adminToken, '/v1/aws-credentials', { principal: 'bench-app' });
  return { encryptKeyId, signKeyId, appToken, accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey, region: 'bench', port };
}

async function measure(port: number, serverPid: number, request: BenchRequest): Promise<LoadResult> {
  const spec: LoadSpec = { port, path: request.path, headers: request.headers, body: request.body, connections: options.connections, warmupMs: options.warmupMs, durationMs: options.durationMs, serverPid };
  const child = start('1', [process.execPath, path.join(BENCH_DIR, 'loadgen.ts'), JSON.stringify(spec)]);
  const seen = output(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.warmupMs + options.durationMs + 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new TypeError(`the load generator failed (${code}): ${seen.text().slice(-1500)}`);
  const result = JSON.parse(seen.text().trim().split('\n').pop() ?? '') as LoadResult;
  if (result.non2xx > 0 || result.errors > 0) throw new TypeError(`${result.non2xx} refusals, ${result.errors} errors: ${result.firstNon2xxBody ?? ''}`);
  return result;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** cpuUsPerRequest: the node's CPU time per request; it moves far less than req/s when other work shares the machine. */
interface Row { operation: Operation; endpoint: Endpoint; round: number; rps: number; p50Ms: number; p99Ms: number; serverCpu: number; cpuUsPerRequest: number }

function summary(rows: readonly Row[]): string[] {
  const lines = [
    '| operation | native req/s | AWS (SigV4) req/s | AWS / native req/s | node CPU µs/req native / AWS | CPU-cost ratio native / AWS | native p50 / p99 ms | AWS p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const operation of OPERATIONS) {
    const of = (endpoint: Endpoint) => rows.filter((r) => r.operation === operation && r.endpoint === endpoint);
    const [native, aws] = [of('native'), of('aws')];
    const ratios = native.map((n) => (aws.find((a) => a.round === n.round)?.rps ?? Number.NaN) / n.rps);
    const costRatios = native.map((n) => n.cpuUsPerRequest / (aws.find((a) => a.round === n.round)?.cpuUsPerRequest ?? Number.NaN));
    const cpu = (rs: Row[]) => Math.round(median(rs.map((r) => r.cpuUsPerRequest)));
    const latency = (rs: Row[]) => `${median(rs.map((r) => r.p50Ms)).toFixed(2)} / ${median(rs.map((r) => r.p99Ms)).toFixed(2)}`;
    lines.push(`| ${operation} | ${Math.round(median(native.map((r) => r.rps)))} | ${Math.round(median(aws.map((r) => r.rps)))} | ${median(ratios).toFixed(2)}x | ${cpu(native)} / ${cpu(aws)} | ${median(costRatios).toFixed(2)}x | ${latency(native)} | ${latency(aws)} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'latchkey-bench-aws-'));
  const rows: Row[] = [];
  try {
    const node = await startNode(path.join(tmp, 'node'));
    const keys = await prepare(node.port, path.join(tmp, 'node'));
    for (let round = 1; round <= options.rounds; round++) {
      for (const operation of OPERATIONS) {
        const order: Endpoint[] = round % 2 === 1 ? ['native', 'aws'] : ['aws', 'native'];
        for (const endpoint of order) {
          // Signed afresh for each measurement: SigV4 accepts a signature for 5 minutes.
          const request = endpoint === 'aws' ? await awsRequest(keys, operation) : nativeRequest(keys, operation);
          await checkOnce(node.port, request, operation === 'Encrypt' ? /"(CiphertextBlob|ciphertext)"/ : /"(Signature|signature)"/);
          const result = await measure(node.port, node.child.pid as number, request);
          const cpuUsPerRequest = (result.serverCpuSeconds * 1e6) / result.requests;
          rows.push({ operation, endpoint, round, rps: result.rps, p50Ms: result.p50Ms, p99Ms: result.p99Ms, serverCpu: result.serverCpuSeconds / result.seconds, cpuUsPerRequest });
          process.stderr.write(`bench:aws: round ${round} ${operation} ${endpoint}: ${Math.round(result.rps)} req/s, ${Math.round(cpuUsPerRequest)} CPU µs/req, p99 ${result.p99Ms.toFixed(2)} ms\n`);
        }
      }
    }
    const table = summary(rows);
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    const setup = `${options.rounds} round(s), ${options.durationMs / 1000} s after ${options.warmupMs / 1000} s warm-up, ${options.connections} in flight, ${options.pin ? 'node on CPU 0, load generator on CPU 1' : 'not pinned'}, ${os.cpus().length} CPUs, Node ${process.version}, load average at the end ${load}`;
    process.stdout.write(`${[setup, ...table].join('\n')}\n`);
    await mkdir(path.dirname(flags.out as string), { recursive: true });
    await writeFile(flags.out as string, `${JSON.stringify({ setup, options, rows, table }, null, 2)}\n`);
  } finally {
    stopAll();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:aws: ${error instanceof Error ? error.message : String(error)}\n`);
  stopAll();
  process.exit(1);
});
