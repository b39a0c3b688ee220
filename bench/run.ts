/**
 * `pnpm bench`: data-plane throughput of a real region node, measured as ratios in one run.
 *
 * Every party runs in its own process: the region node (packages/node/src/main.ts, Node 24), a
 * bare node:http JSON server (the ceiling), the load generator, and the in-process AES-GCM loop.
 * On the 2-core machines the server under test is pinned to CPU 0 and the load generator to CPU 1
 * (taskset), so each gets one core. Rounds alternate bare and node back to back; the summary gives
 * medians over rounds, and every ratio is taken inside a round before its median is taken.
 *
 *   pnpm bench                 3 rounds, 10 s per measurement after a 2 s warm-up (about 5 minutes)
 *   pnpm bench --quick         1 round of 2 s measurements, a smoke run (about 30 s)
 *   pnpm bench --help          every option (experiments: --log-level, --node-root, --node-workers, --cpu-prof)
 *
 * Writes the table to stdout and everything to .bench/last.json (or --out). Only 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AesResult } from './aes-inprocess.ts';
import type { LoadResult, LoadSpec } from './loadgen.ts';
import { bucketUpperMs } from './loadgen.ts';
import { coreTimes, coresBusyBetween, cpuSeconds } from './proc-stats.ts';
import { compareProfiles, formatProfileSummary, summarizeProfile, type CpuProfile } from './profile-summary.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH_DIR, '..');

type Loadgen = 'builtin' | 'wrk' | 'autocannon';
type Part = 'encrypt' | 'decrypt' | 'batch' | 'aes';

interface Options {
  readonly quick: boolean;
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly batchConnections: number;
  readonly batchSizes: readonly number[];
  readonly aesMs: number;
  readonly loadgen: Loadgen;
  readonly pin: boolean;
  readonly nodeWorkers: number;
  readonly bareWorkers: number;
  readonly logLevel: string;
  readonly nodeRoot: string;
  readonly only: ReadonlySet<Part>;
  readonly out: string;
  readonly label: string;
  readonly cpuProfDir: string | null;
  readonly quietWaitMs: number;
  readonly segmentMs: number;
  readonly initialWarmupMs: number;
  readonly batchMs: number;
  readonly variants: readonly Variant[];
  readonly nice: number;
}

const HELP = `pnpm bench [options]
  --quick               smoke run (under 40 s): 1 round, one 1.5 s segment per server
  --rounds N            rounds (default 3); ratios are taken per round, the summary is their median
  --duration S          measured seconds per server per round (default 10), cut into segments
  --segment S           length of one segment (default 2): bare, node, bare, node ... back to back
  --warmup S            load before each segment that is not recorded (default 0.5)
  --initial-warmup S    once per server and request kind before round 1 (default 3)
  --batch-duration S    measured seconds per batch size per round (default 5)
  --aes-ms MS           per in-process AES measurement (default 1000)
  --connections N       keep-alive connections for encrypt/decrypt (default 50)
  --batch-connections N connections for batch encrypt (default 8)
  --batch-sizes A,B     items per batch request (default 100,1000)
  --loadgen NAME        builtin (default) | wrk (Debian package) | autocannon (npm)
  --no-pin              do not pin server to CPU 0 and load generator to CPU 1
  --only LIST           any of encrypt,decrypt,batch,aes (default all)
  --out FILE            JSON results (default .bench/last.json)
  --label TEXT          a name for this run in the JSON
  --nice N              run servers, load generator and AES loop under nice -n N (negative needs root):
                        on a shared machine, -10 keeps other work from taking their cores mid-measurement
  --quiet-wait S        before each measurement wait up to S s for other work on the machine to stop (default 10; quick 0: measure at once and flag noise)
experiments:
  --log-level L         LATCHKEY_LOG_LEVEL of the node (default info)
  --node-root DIR       run packages/node/src/main.ts of another checkout (a scratch copy)
  --node-workers N      node:cluster data plane, N workers on snapshot copies of the store (unpinned)
  --bare-workers N      the bare server in N node:cluster workers (unpinned)
  --cpu-prof DIR        run the node with --cpu-prof into DIR and print its top self-time functions
  --variants 'a=DIR?VAR=v&VAR=v;b=DIR2'
                        more region nodes (other checkouts and/or environment) in the same A/B rotation:
                        bare, node, a, b, bare, node, a, b ...; each gets its ratio to bare and to node`;

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg} (see --help)`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (['quick', 'no-pin', 'help'].includes(name)) bools.add(name);
    else if (inline !== undefined) flags.set(name, inline);
    else {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
      i += 1;
    }
  }
  if (bools.has('help')) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const known = ['rounds', 'duration', 'warmup', 'connections', 'batch-connections', 'batch-sizes', 'loadgen', 'only', 'out', 'label', 'log-level',
    'node-root', 'node-workers', 'bare-workers', 'cpu-prof', 'aes-ms', 'quiet-wait', 'segment', 'initial-warmup', 'batch-duration', 'variants', 'nice'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option --${name} (see --help)`);
  const quick = bools.has('quick');
  const num = (name: string, fallback: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const loadgen = (flags.get('loadgen') ?? 'builtin') as Loadgen;
  if (!['builtin', 'wrk', 'autocannon'].includes(loadgen)) throw new Error('--loadgen is builtin, wrk or autocannon');
  const only = new Set((flags.get('only') ?? 'encrypt,decrypt,batch,aes').split(',') as Part[]);
  for (const part of only) if (!['encrypt', 'decrypt', 'batch', 'aes'].includes(part)) throw new Error(`--only: unknown part ${part}`);
  const nodeWorkers = num('node-workers', 1);
  const bareWorkers = num('bare-workers', 1);
  const cpuProf = flags.get('cpu-prof');
  return {
    quick,
    rounds: num('rounds', quick ? 1 : 3),
    durationMs: num('duration', quick ? 1.5 : 10) * 1000,
    // Several workers each need their own JIT warm-up and connections: a longer warm-up per segment.
    warmupMs: num('warmup', nodeWorkers > 1 ? 1.5 : quick ? 0.3 : 0.5) * 1000,
    connections: num('connections', 50),
    batchConnections: num('batch-connections', 8),
    batchSizes: (flags.get('batch-sizes') ?? '100,1000').split(',').map(Number),
    aesMs: num('aes-ms', quick ? 400 : 1000),
    loadgen,
    // Pinning gives each side one core; a multi-process server needs both, so it runs unpinned.
    pin: !bools.has('no-pin') && nodeWorkers === 1 && bareWorkers === 1 && hasTaskset(),
    nodeWorkers,
    bareWorkers,
    logLevel: flags.get('log-level') ?? 'info',
    nodeRoot: path.resolve(flags.get('node-root') ?? REPO),
    only,
    out: path.resolve(REPO, flags.get('out') ?? '.bench/last.json'),
    label: flags.get('label') ?? (quick ? 'quick' : 'full'),
    cpuProfDir: cpuProf === undefined ? null : path.resolve(cpuProf),
    quietWaitMs: num('quiet-wait', quick ? 0 : 10) * 1000,
    segmentMs: num('segment', quick ? 1.5 : 2) * 1000,
    initialWarmupMs: num('initial-warmup', quick ? 0.3 : 3) * 1000,
    batchMs: num('batch-duration', quick ? 1 : 5) * 1000,
    nice: Number(flags.get('nice') ?? '0'),
    variants: parseVariants(flags.get('variants'), path.resolve(flags.get('node-root') ?? REPO)),
  };
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set<ChildProcess>();

/** When the first load started (CLOCK_MONOTONIC µs): profiles are summarized from there on. */
let loadStartedMicros = 0;

/** Answers each server gave (warm-ups included), to turn CPU profiles into time per request. */
const answeredBy = new Map<string, number>();

/** Scheduling priority of every bench process (`--nice`); 0 leaves it alone. */
let niceness = 0;

function start(cpu: string | null, pin: boolean, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; stdout?: number | 'pipe' } = {}): ChildProcess {
  const pinned = pin && cpu !== null ? ['taskset', '-c', cpu, ...args] : [...args];
  const [command, ...rest] = niceness !== 0 ? ['nice', '-n', String(niceness), ...pinned] : pinned;
  const child = spawn(command as string, rest, {
    cwd: options.cwd ?? REPO, env: options.env ?? process.env, stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function killAll(): void {
  for (const child of children) child.kill('SIGTERM');
}
process.on('SIGINT', () => {
  killAll();
  process.exit(130);
});

/** Resolves with the first stdout/stderr line that matches, or rejects if the process exits or time runs out. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${what}: no "${pattern}" within ${timeoutMs} ms; output: ${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        cleanup();
        resolve(match);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited (${code}) before it was ready; output: ${seen.slice(-2000)}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

function stop(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Servers

interface Server {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

interface Workload {
  readonly keyId: string;
  readonly appToken: string;
  readonly encryptPath: string;
  readonly encryptBody: string;
  readonly encryptAnswer: string;
  readonly decryptPath: string;
  readonly decryptBody: string;
  readonly decryptAnswer: string;
  readonly headers: Readonly<Record<string, string>>;
}

async function startNode(options: Options, dataDir: string, logFile: string, variant?: Variant): Promise<Server> {
  const env = {
    ...process.env, LATCHKEY_PORT: '0', LATCHKEY_HOST: '127.0.0.1', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: options.logLevel,
    LATCHKEY_REGION: 'bench', ...(variant?.env ?? {}),
  };
  const root = variant?.root ?? options.nodeRoot;
  const flags = options.cpuProfDir && !variant ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, '--cpu-prof-name=node.cpuprofile'] : [];
  const log = openSync(logFile, 'a');
  const child = start('0', options.pin, [process.execPath, ...flags, path.join(root, 'packages/node/src/main.ts')], { env, cwd: root, stdout: log });
  closeSync(log);
  // main.ts prints the URL, then where the admin token is once it exists.
  const match = await waitForLine(child, /serving on http:\/\/127\.0\.0\.1:(\d+)[\s\S]*admin token in/, variant ? `variant ${variant.name}` : 'region node');
  return { name: variant?.name ?? 'node', port: Number(match[1]), child };
}

/** An experiment: another checkout (a scratch copy with a change) and/or other environment, measured in the same rotation. */
interface Variant {
  readonly name: string;
  readonly root: string;
  readonly env: Readonly<Record<string, string>>;
}

/** `name=DIR[?VAR=value&VAR=value];name2=...` */
function parseVariants(raw: string | undefined, fallbackRoot: string): Variant[] {
  if (!raw) return [];
  return raw.split(';').filter(Boolean).map((item) => {
    const [name, rest = ''] = item.split('=', 2).length === 2 ? [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)] : [item, ''];
    const [dir = '', query = ''] = rest.split('?', 2);
    const env = Object.fromEntries(query.split('&').filter(Boolean).map((pair) => pair.split('=', 2) as [string, string]));
    if (!/^[a-z0-9-]+$/.test(name as string)) throw new Error(`--variants: bad name ${name}`);
    return { name: name as string, root: path.resolve(dir || fallbackRoot), env };
  });
}

async function startClusterNode(options: Options, dataDirs: readonly string[], logFile: string): Promise<Server> {
  const port = await freePort();
  const env = {
    ...process.env, BENCH_NODE_ROOT: options.nodeRoot, BENCH_PORT: String(port), BENCH_DATA_DIRS: dataDirs.join(':'),
    LATCHKEY_LOG_LEVEL: options.logLevel, LATCHKEY_REGION: 'bench', LATCHKEY_HOST: '127.0.0.1',
  };
  const log = openSync(logFile, 'a');
  const child = start(null, false, [process.execPath, path.join(BENCH_DIR, 'cluster-node.ts')], { env, stdout: 'pipe' });
  closeSync(log);
  await waitForLine(child, /\{"port":\d+\}/, 'cluster node');
  return { name: `node×${dataDirs.length}`, port, child };
}

async function startBare(options: Options, answers: Record<string, unknown>): Promise<Server> {
  const port = options.bareWorkers > 1 ? await freePort() : 0;
  const env = { ...process.env, BENCH_WORKERS: String(options.bareWorkers), BENCH_PORT: String(port) };
  const flags = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, '--cpu-prof-name=bare.cpuprofile'] : [];
  const child = start('0', options.pin, [process.execPath, ...flags, path.join(BENCH_DIR, 'bare-server.ts'), JSON.stringify(answers)], { env });
  const match = await waitForLine(child, /\{"port":(\d+)\}/, 'bare server');
  return { name: options.bareWorkers > 1 ? `bare×${options.bareWorkers}` : 'bare', port: Number(match[1]), child };
}

async function call(port: number, method: string, urlPath: string, token: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

function expectStatus(what: string, answer: { status: number; text: string }, status: number): unknown {
  if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 500)}`);
  return JSON.parse(answer.text) as unknown;
}

/** A key, an application token, and one real encrypt and decrypt answer (checked end to end). */
async function prepareWorkload(node: Server, dataDir: string): Promise<Workload> {
  const admin = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
  const created = expectStatus('create key', await call(node.port, 'POST', '/v1/keys', admin, { description: 'bench' }), 201) as { keyMetadata: { keyId: string } };
  const keyId = created.keyMetadata.keyId;
  const token = (expectStatus('create token', await call(node.port, 'POST', '/v1/tokens', admin, { principal: 'bench' }), 201) as { token: string }).token;
  const plaintext = Buffer.from('bench-plaintext-of-32-bytes-long').toString('base64');
  if (Buffer.from(plaintext, 'base64').length !== 32) throw new Error('the bench plaintext must be 32 bytes');
  const encryptPath = `/v1/keys/${keyId}/encrypt`;
  const encryptBody = JSON.stringify({ plaintext });
  const encrypted = await call(node.port, 'POST', encryptPath, token, { plaintext });
  const { ciphertext } = expectStatus('encrypt', encrypted, 200) as { ciphertext: string };
  const decryptPath = '/v1/decrypt';
  const decryptBody = JSON.stringify({ ciphertext });
  const decrypted = await call(node.port, 'POST', decryptPath, token, { ciphertext });
  if ((expectStatus('decrypt', decrypted, 200) as { plaintext: string }).plaintext !== plaintext) throw new Error('decrypt did not give the plaintext back');
  const batch = expectStatus('batch encrypt', await call(node.port, 'POST', '/v1/batch/encrypt', token, { items: [{ keyId, plaintext }] }), 200) as {
    results: { ok: boolean }[];
  };
  if (!batch.results.every((r) => r.ok)) throw new Error(`batch encrypt failed: ${JSON.stringify(batch)}`);
  return {
    keyId, appToken: token, encryptPath, encryptBody, encryptAnswer: encrypted.text, decryptPath, decryptBody, decryptAnswer: decrypted.text,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  };
}

// ---------------------------------------------------------------------------------------------
// Load

interface Measured extends LoadResult {
  /** User + system time of the server's process tree, in cores (1 = one core busy all the time). */
  readonly serverCpu: number;
  readonly loadgenCpu: number;
  /** Busy share of the machine just before the measurement (other work; should be near 0). */
  readonly backgroundBusy: number;
}

async function runChildJson<T>(child: ChildProcess, what: string, timeoutMs: number): Promise<T> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${what} failed (${code}): ${err.slice(-2000)}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '') as T;
}

/**
 * CPU of the server tree and the load generator while `loadgen` runs, sampled from outside (for wrk
 * and autocannon; it includes their warm-up). The builtin load generator measures its exact window.
 */
function sampleCpu(server: Server, loadgen: ChildProcess): () => Pick<Measured, 'serverCpu' | 'loadgenCpu' | 'coresBusy' | 'serverCpuSeconds' | 'loadgenCpuSeconds'> {
  const first = { at: performance.now(), server: cpuSeconds(server.child.pid as number), loadgen: cpuSeconds(loadgen.pid as number), cores: coreTimes() };
  let last = first;
  const timer = setInterval(() => {
    const loadgenNow = cpuSeconds(loadgen.pid as number);
    if (loadgenNow === 0) return; // it has exited; keep the last good sample
    last = { at: performance.now(), server: cpuSeconds(server.child.pid as number), loadgen: loadgenNow, cores: coreTimes() };
  }, 250);
  return () => {
    clearInterval(timer);
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) return { serverCpu: Number.NaN, loadgenCpu: Number.NaN, coresBusy: [], serverCpuSeconds: Number.NaN, loadgenCpuSeconds: Number.NaN };
    return {
      serverCpu: (last.server - first.server) / seconds, loadgenCpu: (last.loadgen - first.loadgen) / seconds,
      coresBusy: coresBusyBetween(first.cores, last.cores), serverCpuSeconds: Number.NaN, loadgenCpuSeconds: Number.NaN,
    };
  };
}

/** Busy share of the whole machine over `ms` (all CPUs). */
async function machineBusy(ms: number): Promise<number> {
  const sum = () => coreTimes().reduce((a, c) => ({ busy: a.busy + c.busy, total: a.total + c.total }), { busy: 0, total: 0 });
  const before = sum();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sum();
  return after.total > before.total ? (after.busy - before.busy) / (after.total - before.total) : 0;
}

/**
 * Other work on the machine (a test suite, another cluster) skews a measurement more than anything
 * else here. Before each measurement, wait (bounded) until the machine is idle apart from the idle
 * servers; report what was seen, so that a noisy result is visible as such.
 */
async function waitQuiet(options: Options): Promise<number> {
  const deadline = Date.now() + options.quietWaitMs;
  let busy = await machineBusy(options.quick ? 150 : 300);
  let warned = false;
  while (busy > QUIET_BUSY && Date.now() < deadline) {
    if (!warned) process.stdout.write(`  (machine ${pctFmt(busy)} busy with other work; waiting up to ${options.quietWaitMs / 1000} s for it to calm down)\n`);
    warned = true;
    busy = await machineBusy(1000);
  }
  if (busy > QUIET_BUSY) process.stdout.write(`  WARNING: machine still ${pctFmt(busy)} busy with other work; this measurement is noisy\n`);
  return busy;
}
const QUIET_BUSY = 0.12;

interface Request {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
}
interface Timing {
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** One measurement of one server: waits for a quiet machine, then a fresh load generator process. */
async function load(options: Options, server: Server, request: Request, timing: Timing, tmp: string): Promise<Measured> {
  const backgroundBusy = await waitQuiet(options);
  return { ...(await loadOnce({ ...options, ...timing }, server, request.path, request.headers, request.body, request.connections, tmp)), backgroundBusy };
}

async function loadOnce(options: Options, server: Server, urlPath: string, headers: Readonly<Record<string, string>>, body: string, connections: number, tmp: string): Promise<Omit<Measured, 'backgroundBusy'>> {
  const spec: LoadSpec = {
    port: server.port, path: urlPath, headers, body, connections, warmupMs: options.warmupMs, durationMs: options.durationMs, serverPid: server.child.pid as number,
  };
  const budget = options.warmupMs + options.durationMs + 30_000;
  if (options.loadgen === 'builtin') {
    const child = start('1', options.pin, [process.execPath, path.join(BENCH_DIR, 'loadgen.ts'), JSON.stringify(spec)]);
    const result = await runChildJson<LoadResult>(child, 'loadgen', budget);
    answeredBy.set(server.name, (answeredBy.get(server.name) ?? 0) + (result.answered ?? 0));
    return { ...result, serverCpu: result.serverCpuSeconds / result.seconds, loadgenCpu: result.loadgenCpuSeconds / result.seconds, coresBusy: result.coresBusy };
  }
  if (options.loadgen === 'wrk') {
    const script = path.join(tmp, `wrk-${server.port}.lua`);
    const lua = [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(body)}`, ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)];
    await writeFile(script, `${lua.join('\n')}\n`);
    const url = `http://127.0.0.1:${server.port}${urlPath}`;
    const base = ['wrk', '-t1', `-c${connections}`, '-s', script, '--latency'];
    await runText(start('1', options.pin, [...base, `-d${Math.max(1, Math.round(options.warmupMs / 1000))}s`, url]), budget);
    const child = start('1', options.pin, [...base, `-d${Math.max(1, Math.round(options.durationMs / 1000))}s`, url]);
    const cpu = sampleCpu(server, child);
    return { ...parseWrk(await runText(child, budget)), ...cpu() };
  }
  const bin = path.join(REPO, 'node_modules/autocannon/autocannon.js');
  const base = [process.execPath, bin, '-c', String(connections), '-m', 'POST', '-b', body, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`])];
  const url = `http://127.0.0.1:${server.port}${urlPath}`;
  await runText(start('1', options.pin, [...base, '-d', String(Math.max(1, Math.round(options.warmupMs / 1000))), '-n', url]), budget);
  const child = start('1', options.pin, [...base, '-d', String(Math.max(1, Math.round(options.durationMs / 1000))), '--json', url]);
  const cpu = sampleCpu(server, child);
  const json = JSON.parse((await runText(child, budget)).trim().split('\n').pop() ?? '{}') as {
    requests: { total: number }; duration: number; latency: { p50: number; p90: number; p99: number; max: number }; non2xx: number; errors: number;
  };
  return {
    requests: json.requests.total, seconds: json.duration, rps: json.requests.total / json.duration, p50Ms: json.latency.p50, p90Ms: json.latency.p90,
    p99Ms: json.latency.p99, maxMs: json.latency.max, non2xx: json.non2xx, errors: json.errors, firstNon2xxBody: null, ...cpu(),
  };
}

async function runText(child: ChildProcess, timeoutMs: number): Promise<string> {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`load generator failed (${code}): ${out.slice(-2000)}`);
  return out;
}

function parseWrk(text: string): Omit<LoadResult, 'serverCpuSeconds' | 'loadgenCpuSeconds' | 'coresBusy'> {
  const ms = (value: string, unit: string) => Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    return m ? ms(m[1] as string, m[2] as string) : Number.NaN;
  };
  const total = /(\d+) requests in ([\d.]+)(s|m)/.exec(text);
  const requests = Number(total?.[1] ?? 0);
  const seconds = Number(total?.[2] ?? 1) * (total?.[3] === 'm' ? 60 : 1);
  const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requests, seconds, rps: requests / seconds, p50Ms: pct('50'), p90Ms: pct('90'), p99Ms: pct('99'),
    maxMs: max ? ms(max[1] as string, max[2] as string) : Number.NaN, non2xx, errors, firstNon2xxBody: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Aggregation

/** Several segments of one server in one round, merged. */
interface Aggregate {
  readonly rps: number;
  readonly requests: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpu: number;
  readonly loadgenCpu: number;
  readonly coresBusy: number[];
  readonly segments: number[];
  /** Server CPU time per answered request (builtin load generator only): robust to other work on the machine. */
  readonly cpuUsPerRequest: number;
}

function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Latency quantile over merged histograms; without histograms (wrk, autocannon), the median of the segments' values. */
function quantile(all: readonly Measured[], q: number, fallback: (m: Measured) => number): number {
  if (all.length === 0) return Number.NaN;
  if (all.some((m) => m.histogram === undefined)) return median(all.map(fallback));
  const merged = new Map<number, number>();
  let total = 0;
  for (const m of all) {
    for (const [key, count] of Object.entries(m.histogram ?? {})) {
      merged.set(Number(key), (merged.get(Number(key)) ?? 0) + count);
      total += count;
    }
  }
  const target = q * total;
  let seen = 0;
  for (const key of [...merged.keys()].sort((a, b) => a - b)) {
    seen += merged.get(key) as number;
    if (seen >= target) return bucketUpperMs(key);
  }
  return Number.NaN;
}

function aggregate(all: readonly Measured[]): Aggregate {
  const requests = all.reduce((n, m) => n + m.requests, 0);
  const seconds = all.reduce((n, m) => n + m.seconds, 0);
  return {
    rps: requests / seconds, requests, seconds,
    p50Ms: quantile(all, 0.5, (m) => m.p50Ms), p99Ms: quantile(all, 0.99, (m) => m.p99Ms),
    serverCpu: median(all.map((m) => m.serverCpu)), loadgenCpu: median(all.map((m) => m.loadgenCpu)),
    coresBusy: (all[0]?.coresBusy ?? []).map((_, i) => median(all.map((m) => m.coresBusy[i] ?? Number.NaN))),
    segments: all.map((m) => Math.round(m.rps)),
    cpuUsPerRequest: (all.reduce((n, m) => n + m.serverCpuSeconds, 0) / requests) * 1e6,
  };
}

interface PairedRound {
  readonly bare: Measured[];
  readonly node: Measured[];
  readonly variants: Record<string, Measured[]>;
}

interface Round {
  encrypt?: PairedRound;
  decrypt?: PairedRound;
  batch: Record<string, Measured[]>;
  /** variant name -> batch size -> measurements */
  batchVariants: Record<string, Record<string, Measured[]>>;
  aes?: AesResult;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const pctFmt = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '-');
const round3 = (n: number) => Math.round(n * 1000) / 1000;

interface Line {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpu: number;
  readonly loadgenCpu: number;
  readonly coresBusy: number[];
  readonly perRound: number[];
  readonly cpuUsPerRequest: number;
}

function line(rounds: readonly Measured[][]): Line | undefined {
  if (rounds.length === 0) return undefined;
  const per = rounds.map(aggregate);
  const all = rounds.flat();
  return {
    rps: median(per.map((a) => a.rps)), p50Ms: quantile(all, 0.5, (m) => m.p50Ms), p99Ms: quantile(all, 0.99, (m) => m.p99Ms),
    serverCpu: median(all.map((m) => m.serverCpu)), loadgenCpu: median(all.map((m) => m.loadgenCpu)),
    coresBusy: (all[0]?.coresBusy ?? []).map((_, i) => median(all.map((m) => m.coresBusy[i] ?? Number.NaN))),
    perRound: per.map((a) => Math.round(a.rps)),
    cpuUsPerRequest: median(per.map((a) => a.cpuUsPerRequest)),
  };
}

function summarize(options: Options, rounds: readonly Round[]) {
  const paired = (op: 'encrypt' | 'decrypt') => {
    const rs = rounds.map((r) => r[op]).filter((p): p is PairedRound => p !== undefined);
    if (rs.length === 0) return undefined;
    const perRound = rs.map((p) => aggregate(p.node).rps / aggregate(p.bare).rps);
    const perPair = rs.flatMap((p) => p.node.map((n, i) => n.rps / (p.bare[i]?.rps ?? Number.NaN)));
    // The same ratio from CPU cost: bare CPU µs per request / node CPU µs per request. Other work on
    // the machine lowers both rates but hardly changes what one request costs, so this one is steadier.
    const cpuPerRound = rs.map((p) => aggregate(p.bare).cpuUsPerRequest / aggregate(p.node).cpuUsPerRequest);
    const variants = Object.fromEntries(Object.keys(rs[0]?.variants ?? {}).map((name) => {
      const of = (p: PairedRound) => p.variants[name] as Measured[];
      const toBare = rs.map((p) => aggregate(of(p)).rps / aggregate(p.bare).rps);
      const toNode = rs.map((p) => aggregate(of(p)).rps / aggregate(p.node).rps);
      const toNodePairs = rs.flatMap((p) => of(p).map((m, i) => m.rps / (p.node[i]?.rps ?? Number.NaN)));
      const cpuToBare = rs.map((p) => aggregate(p.bare).cpuUsPerRequest / aggregate(of(p)).cpuUsPerRequest);
      const cpuToNode = rs.map((p) => aggregate(p.node).cpuUsPerRequest / aggregate(of(p)).cpuUsPerRequest);
      return [name, {
        line: line(rs.map(of)),
        ratioToBare: { median: median(toBare), perRound: toBare.map(round3) },
        ratioToNode: { median: median(toNode), perRound: toNode.map(round3), pairMedian: median(toNodePairs) },
        cpuCostRatioToBare: { median: median(cpuToBare), perRound: cpuToBare.map(round3) },
        cpuCostRatioToNode: { median: median(cpuToNode), perRound: cpuToNode.map(round3) },
      }];
    }));
    return {
      bare: line(rs.map((p) => p.bare)), node: line(rs.map((p) => p.node)),
      ratio: { median: median(perRound), perRound: perRound.map(round3), pairMedian: median(perPair), pairs: perPair.map(round3), target: 0.8 },
      cpuCostRatio: { median: median(cpuPerRound), perRound: cpuPerRound.map(round3) },
      variants,
    };
  };
  const aes = rounds.some((r) => r.aes)
    ? {
        encryptOpsPerSec: median(rounds.map((r) => r.aes?.encryptOpsPerSec ?? Number.NaN)),
        decryptOpsPerSec: median(rounds.map((r) => r.aes?.decryptOpsPerSec ?? Number.NaN)),
        latchkeyEncryptSymmetricOpsPerSec: median(rounds.map((r) => r.aes?.latchkeyEncryptSymmetricOpsPerSec ?? Number.NaN)),
        encryptCpuUsPerOp: 1e6 / median(rounds.map((r) => r.aes?.encryptOpsPerCpuSec ?? Number.NaN)),
        latchkeyEncryptSymmetricCpuUsPerOp: 1e6 / median(rounds.map((r) => r.aes?.latchkeyEncryptSymmetricOpsPerCpuSec ?? Number.NaN)),
      }
    : undefined;
  const batch: Record<string, {
    items: number; itemsPerSec: number; line: Line; ratioToAes?: { median: number; perRound: number[]; target: number };
    cpuCostRatioToAes?: { median: number; perRound: number[] };
  }> = {};
  for (const size of options.batchSizes) {
    const rs = rounds.map((r) => r.batch[String(size)]).filter((m): m is Measured[] => m !== undefined);
    const l = line(rs);
    if (!l) continue;
    const perRound = rounds
      .map((r) => (r.batch[String(size)] && r.aes ? (aggregate(r.batch[String(size)] as Measured[]).rps * size) / r.aes.encryptOpsPerSec : Number.NaN))
      .filter(Number.isFinite);
    // CPU cost: AES CPU µs per op / node CPU µs per item; robust to other work on the machine.
    const cpuPerRound = rounds
      .map((r) => {
        const ms = r.batch[String(size)];
        if (!ms || !r.aes?.encryptOpsPerCpuSec) return Number.NaN;
        return (1e6 / r.aes.encryptOpsPerCpuSec) / (aggregate(ms).cpuUsPerRequest / size);
      })
      .filter(Number.isFinite);
    batch[String(size)] = {
      items: size, itemsPerSec: l.rps * size, line: l,
      ...(perRound.length ? { ratioToAes: { median: median(perRound), perRound: perRound.map(round3), target: 0.5 } } : {}),
      ...(cpuPerRound.length ? { cpuCostRatioToAes: { median: median(cpuPerRound), perRound: cpuPerRound.map(round3) } } : {}),
    };
  }
  const batchVariants: Record<string, Record<string, { itemsPerSec: number; line: Line; ratioToNode: number[]; ratioToAes: number[] }>> = {};
  for (const name of new Set(rounds.flatMap((r) => Object.keys(r.batchVariants)))) {
    for (const size of options.batchSizes) {
      const key = String(size);
      const rs = rounds.filter((r) => r.batchVariants[name]?.[key] && r.batch[key]);
      const l = line(rs.map((r) => r.batchVariants[name]?.[key] as Measured[]));
      if (!l) continue;
      (batchVariants[name] ??= {})[key] = {
        itemsPerSec: l.rps * size, line: l,
        ratioToNode: rs.map((r) => round3(aggregate(r.batchVariants[name]?.[key] as Measured[]).rps / aggregate(r.batch[key] as Measured[]).rps)),
        ratioToAes: rs.filter((r) => r.aes).map((r) => round3((aggregate(r.batchVariants[name]?.[key] as Measured[]).rps * size) / (r.aes as AesResult).encryptOpsPerSec)),
      };
    }
  }
  return { encrypt: paired('encrypt'), decrypt: paired('decrypt'), batch, batchVariants, aes };
}

type Summary = ReturnType<typeof summarize>;

function table(summary: Summary, nodeName: string, bareName: string): string {
  const rows: string[][] = [['measurement', 'rate (median of rounds)', 'p50 ms', 'p99 ms', 'server CPU', 'CPU µs/req', 'loadgen CPU', 'CPU0/CPU1 busy', 'per round']];
  const cores = (busy: readonly number[]) => busy.map(pctFmt).join('/');
  const add = (name: string, m: Line | undefined, scale = 1, unit = 'req/s') => {
    if (m) {
      rows.push([name, `${fmt(m.rps * scale)} ${unit}`, fmt(m.p50Ms, 2), fmt(m.p99Ms, 2), pctFmt(m.serverCpu), fmt(m.cpuUsPerRequest / scale, 1), pctFmt(m.loadgenCpu), cores(m.coresBusy),
        m.perRound.map((v) => fmt(v * scale)).join(' ')]);
    }
  };
  const verdict = (value: number, target: number) => `target >= ${target}: ${value >= target ? 'meets' : 'MISSES'}`;
  for (const op of ['encrypt', 'decrypt'] as const) {
    const s = summary[op];
    if (!s) continue;
    add(`${bareName} node:http, ${op}-sized JSON`, s.bare);
    add(`${nodeName}: ${op} (${op === 'encrypt' ? 'POST /v1/keys/:id/encrypt' : 'POST /v1/decrypt'})`, s.node);
    rows.push([`  ratio ${op}/bare (req/s)`, `${fmt(s.ratio.median, 3)}x`, '', '', '', '', '', '', `${s.ratio.perRound.map((v) => fmt(v, 3)).join(' ')} (pairs median ${fmt(s.ratio.pairMedian, 3)}); ${verdict(s.ratio.median, 0.8)}`]);
    if (Number.isFinite(s.cpuCostRatio.median)) rows.push([`  ratio ${op}/bare (CPU cost per request)`, `${fmt(s.cpuCostRatio.median, 3)}x`, '', '', '', '', '', '', `${s.cpuCostRatio.perRound.map((v) => fmt(v, 3)).join(' ')}`]);
    for (const [name, v] of Object.entries(s.variants)) {
      add(`variant ${name}: ${op}`, v.line);
      rows.push([`  ${name}: ratio to bare / to node (req/s)`, `${fmt(v.ratioToBare.median, 3)}x / ${fmt(v.ratioToNode.median, 3)}x`, '', '', '', '', '', '',
        `to bare ${v.ratioToBare.perRound.map((x) => fmt(x, 3)).join(' ')}; to node ${v.ratioToNode.perRound.map((x) => fmt(x, 3)).join(' ')} (pairs median ${fmt(v.ratioToNode.pairMedian, 3)})`]);
      rows.push([`  ${name}: ratio to bare / to node (CPU cost)`, `${fmt(v.cpuCostRatioToBare.median, 3)}x / ${fmt(v.cpuCostRatioToNode.median, 3)}x`, '', '', '', '', '', '',
        `to bare ${v.cpuCostRatioToBare.perRound.map((x) => fmt(x, 3)).join(' ')}; to node ${v.cpuCostRatioToNode.perRound.map((x) => fmt(x, 3)).join(' ')}`]);
    }
  }
  for (const [size, b] of Object.entries(summary.batch)) {
    add(`${nodeName}: batch encrypt, ${size} items/request`, b.line, b.items, 'items/s');
    if (b.ratioToAes) rows.push([`  ratio batch(${size}) items/s / AES-GCM ops/s`, `${fmt(b.ratioToAes.median, 3)}x`, '', '', '', '', '', '', `${b.ratioToAes.perRound.map((v) => fmt(v, 3)).join(' ')}; ${verdict(b.ratioToAes.median, 0.5)}`]);
    if (b.cpuCostRatioToAes) rows.push([`  ratio batch(${size}) / AES-GCM (CPU cost per item)`, `${fmt(b.cpuCostRatioToAes.median, 3)}x`, '', '', '', '', '', '', `${b.cpuCostRatioToAes.perRound.map((v) => fmt(v, 3)).join(' ')}`]);
  }
  for (const [name, sizes] of Object.entries(summary.batchVariants)) {
    for (const [size, b] of Object.entries(sizes)) {
      add(`variant ${name}: batch encrypt, ${size} items/request`, b.line, Number(size), 'items/s');
      rows.push([`  ${name}: batch(${size}) ratio to node / to AES-GCM`, `${fmt(median(b.ratioToNode), 3)}x / ${fmt(median(b.ratioToAes), 3)}x`, '', '', '', '', '', '',
        `to node ${b.ratioToNode.map((x) => fmt(x, 3)).join(' ')}; to AES ${b.ratioToAes.map((x) => fmt(x, 3)).join(' ')}`]);
    }
  }
  if (summary.aes) {
    rows.push(['in-process AES-256-GCM encrypt, 32 B, 1 core', `${fmt(summary.aes.encryptOpsPerSec)} ops/s`, '', '', '', fmt(summary.aes.encryptCpuUsPerOp, 1), '', '', '']);
    rows.push(['in-process AES-256-GCM decrypt, 32 B, 1 core', `${fmt(summary.aes.decryptOpsPerSec)} ops/s`, '', '', '', fmt(1e6 / summary.aes.decryptOpsPerSec, 1), '', '', '']);
    rows.push(['in-process @latchkey/crypto encryptSymmetric', `${fmt(summary.aes.latchkeyEncryptSymmetricOpsPerSec)} ops/s`, '', '', '', fmt(summary.aes.latchkeyEncryptSymmetricCpuUsPerOp, 1), '', '', '']);
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const left = (i: number) => i === 0 || i === widths.length - 1;
  const render = (r: string[]) => `| ${r.map((c, i) => (left(i) ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const out = [render(rows[0] as string[]), `|${widths.map((w, i) => (left(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`];
  for (const r of rows.slice(1)) out.push(render(r));
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  niceness = options.nice;
  const startedAt = Date.now();
  const cpus = os.cpus();
  const pairs = Math.max(1, Math.round(options.durationMs / options.segmentMs));
  const meta = {
    label: options.label, date: new Date().toISOString(), node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown',
    loadgen: options.loadgen, pinned: options.pin,
    coreSplit: options.pin ? 'servers on CPU 0, load generator on CPU 1 (taskset); AES loop on CPU 0' : 'unpinned (all processes share both cores)',
    connections: options.connections, batchConnections: options.batchConnections, secondsPerTargetPerRound: (pairs * options.segmentMs) / 1000,
    segmentS: options.segmentMs / 1000, pairsPerRound: pairs, segmentWarmupS: options.warmupMs / 1000, rounds: options.rounds, nice: options.nice, logLevel: options.logLevel,
    nodeWorkers: options.nodeWorkers, bareWorkers: options.bareWorkers, nodeRoot: options.nodeRoot, variants: options.variants,
    gitCommit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: options.nodeRoot }).stdout?.toString().trim() || null,
    plaintextBytes: 32,
  };
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`latchkey bench (${options.label}): Node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), loadgen ${meta.loadgen}; ${meta.coreSplit}`);
  say(`  ${options.rounds} round(s); per round and target ${pairs} segment(s) of ${options.segmentMs / 1000} s (bare, node, bare, node ...), each after a ${options.warmupMs / 1000} s warm-up; ${options.connections} connections; node log level ${options.logLevel}${options.nice ? `; nice ${options.nice}` : ''}`);

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'latchkey-bench-'));
  if (options.cpuProfDir) await mkdir(options.cpuProfDir, { recursive: true });
  let node: Server | null = null;
  let bare: Server | null = null;
  const variantNodes: { server: Server; requests: Record<'encrypt' | 'decrypt', Request> & { batch: Map<number, Request> } }[] = [];
  try {
    const dataDir = path.join(tmp, 'node');
    const logFile = path.join(tmp, 'node.log');
    node = await startNode(options, dataDir, logFile);
    const work = await prepareWorkload(node, dataDir);
    if (options.nodeWorkers > 1) {
      await stop(node.child);
      const dirs: string[] = [];
      for (let i = 0; i < options.nodeWorkers; i += 1) {
        const dir = path.join(tmp, `worker-${i}`);
        await cp(dataDir, dir, { recursive: true });
        dirs.push(dir);
      }
      node = await startClusterNode(options, dirs, logFile);
    }
    const sizes = {
      encryptRequestBytes: Buffer.byteLength(work.encryptBody), encryptAnswerBytes: Buffer.byteLength(work.encryptAnswer),
      decryptRequestBytes: Buffer.byteLength(work.decryptBody), decryptAnswerBytes: Buffer.byteLength(work.decryptAnswer),
    };
    say(`  JSON bodies: encrypt ${sizes.encryptRequestBytes} B -> ${sizes.encryptAnswerBytes} B, decrypt ${sizes.decryptRequestBytes} B -> ${sizes.decryptAnswerBytes} B (the bare server gets the same requests and answers the same bodies)`);
    bare = await startBare(options, { [work.encryptPath]: JSON.parse(work.encryptAnswer) as unknown, [work.decryptPath]: JSON.parse(work.decryptAnswer) as unknown });

    const plaintext = Buffer.from('bench-plaintext-of-32-bytes-long').toString('base64');
    const requestsOf = (w: Workload) => ({
      encrypt: { path: w.encryptPath, headers: w.headers, body: w.encryptBody, connections: options.connections },
      decrypt: { path: w.decryptPath, headers: w.headers, body: w.decryptBody, connections: options.connections },
      batch: new Map(options.batchSizes.map((n) => [n, {
        path: '/v1/batch/encrypt', headers: w.headers, connections: options.batchConnections,
        body: JSON.stringify({ items: Array.from({ length: n }, () => ({ keyId: w.keyId, plaintext })) }),
      }])),
    });
    const requests = requestsOf(work);
    for (const variant of options.variants) {
      const dir = path.join(tmp, `variant-${variant.name}`);
      const server = await startNode(options, dir, path.join(tmp, `variant-${variant.name}.log`), variant);
      variantNodes.push({ server, requests: requestsOf(await prepareWorkload(server, dir)) });
      say(`  variant ${variant.name}: ${variant.root}${Object.keys(variant.env).length ? ` with ${JSON.stringify(variant.env)}` : ''}`);
    }
    const batchRequests = requests.batch;
    const check = (what: string, m: Measured) => {
      say(`  ${what.padEnd(30)} ${fmt(m.rps).padStart(8)} req/s  p50 ${fmt(m.p50Ms, 2)} ms  p99 ${fmt(m.p99Ms, 2)} ms  server ${pctFmt(m.serverCpu)} (${fmt((m.serverCpuSeconds / m.requests) * 1e6, 1)} µs/req)  loadgen ${pctFmt(m.loadgenCpu)}  CPU0/1 ${m.coresBusy.map(pctFmt).join('/')}${m.backgroundBusy > QUIET_BUSY ? `  (NOISY: machine ${pctFmt(m.backgroundBusy)} busy before)` : ''}`);
      if (m.non2xx > 0 || m.errors > 0) throw new Error(`${what}: ${m.non2xx} non-2xx answers and ${m.errors} socket errors; first: ${m.firstNon2xxBody ?? '?'}`);
      return m;
    };

    // Warm both servers once (JIT, caches, connections) before anything is recorded.
    loadStartedMicros = Number(process.hrtime.bigint() / 1000n);
    const warm = { warmupMs: 0, durationMs: options.initialWarmupMs };
    say(`warm-up (${options.initialWarmupMs / 1000} s per server and request kind, not recorded)`);
    for (const op of ['encrypt', 'decrypt'] as const) {
      if (!options.only.has(op)) continue;
      await loadOnce({ ...options, ...warm }, bare, requests[op].path, requests[op].headers, requests[op].body, requests[op].connections, tmp);
      await loadOnce({ ...options, ...warm }, node, requests[op].path, requests[op].headers, requests[op].body, requests[op].connections, tmp);
      for (const v of variantNodes) {
        await loadOnce({ ...options, ...warm }, v.server, v.requests[op].path, v.requests[op].headers, v.requests[op].body, v.requests[op].connections, tmp);
      }
    }
    if (options.only.has('batch')) {
      for (const [server, reqs] of [[node, batchRequests] as const, ...variantNodes.map((v) => [v.server, v.requests.batch] as const)]) {
        for (const request of reqs.values()) await loadOnce({ ...options, ...warm }, server, request.path, request.headers, request.body, request.connections, tmp);
      }
    }

    const segment = { warmupMs: options.warmupMs, durationMs: options.segmentMs };
    const rounds: Round[] = [];
    for (let r = 0; r < options.rounds; r += 1) {
      say(`round ${r + 1}/${options.rounds}`);
      const round: Round = { batch: {}, batchVariants: {} };
      for (const op of ['encrypt', 'decrypt'] as const) {
        if (!options.only.has(op)) continue;
        const pair: PairedRound = { bare: [], node: [], variants: Object.fromEntries(variantNodes.map((v) => [v.server.name, []])) };
        for (let i = 0; i < pairs; i += 1) {
          pair.bare.push(check(`${bare.name} ${op}`, await load(options, bare, requests[op], segment, tmp)));
          pair.node.push(check(`${node.name} ${op}`, await load(options, node, requests[op], segment, tmp)));
          for (const v of variantNodes) {
            (pair.variants[v.server.name] as Measured[]).push(check(`${v.server.name} ${op}`, await load(options, v.server, v.requests[op], segment, tmp)));
          }
        }
        round[op] = pair;
      }
      if (options.only.has('batch')) {
        for (const [size, request] of batchRequests) {
          const m = check(`${node.name} batch encrypt x${size}`, await load(options, node, request, { warmupMs: options.warmupMs, durationMs: options.batchMs }, tmp));
          round.batch[String(size)] = [m];
          for (const v of variantNodes) {
            const request = v.requests.batch.get(size) as Request;
            const vm = check(`${v.server.name} batch encrypt x${size}`, await load(options, v.server, request, { warmupMs: options.warmupMs, durationMs: options.batchMs }, tmp));
            ((round.batchVariants[v.server.name] ??= {})[String(size)] ??= []).push(vm);
          }
        }
      }
      if (options.only.has('aes')) {
        await waitQuiet(options);
        const child = start('0', options.pin, [process.execPath, path.join(BENCH_DIR, 'aes-inprocess.ts'), String(options.aesMs)]);
        round.aes = await runChildJson<AesResult>(child, 'aes-inprocess', options.aesMs * 3 + 30_000);
        say(`  ${'in-process AES-256-GCM encrypt'.padEnd(30)} ${fmt(round.aes.encryptOpsPerSec).padStart(8)} ops/s (decrypt ${fmt(round.aes.decryptOpsPerSec)}, encryptSymmetric ${fmt(round.aes.latchkeyEncryptSymmetricOpsPerSec)})`);
      }
      rounds.push(round);
    }

    const summary = summarize(options, rounds);
    const measured = rounds.flatMap((r) => [...(r.encrypt?.bare ?? []), ...(r.encrypt?.node ?? []), ...(r.decrypt?.bare ?? []), ...(r.decrypt?.node ?? []), ...Object.values(r.batch).flat(),
      ...Object.values(r.encrypt?.variants ?? {}).flat(), ...Object.values(r.decrypt?.variants ?? {}).flat(),
      ...Object.values(r.batchVariants).flatMap((sizes) => Object.values(sizes).flat())]);
    const maxBackgroundBusy = measured.length ? Math.max(...measured.map((m) => m.backgroundBusy)) : 0;
    const seconds = (Date.now() - startedAt) / 1000;
    const text = `${table(summary, node.name, bare.name)}\n\nother work on the machine just before each measurement: at most ${pctFmt(maxBackgroundBusy)} busy${maxBackgroundBusy > QUIET_BUSY ? ' (NOISY RUN: compare ratios only)' : ''}`;
    say(`\n${text}\n\n(${fmt(seconds, 1)} s; JSON in ${path.relative(process.cwd(), options.out) || options.out})`);
    await mkdir(path.dirname(options.out), { recursive: true });
    await writeFile(options.out, `${JSON.stringify({ meta: { ...meta, sizes, seconds, maxBackgroundBusy }, summary, rounds, table: text }, null, 2)}\n`);

    await stop(node.child);
    await stop(bare.child);
    if (options.cpuProfDir) {
      const read = async (name: string) =>
        summarizeProfile(JSON.parse(await readFile(path.join(options.cpuProfDir as string, name), 'utf8')) as CpuProfile, loadStartedMicros);
      const nodeProfile = await read('node.cpuprofile');
      const bareProfile = await read('bare.cpuprofile');
      say(`\nCPU profile of the node (${path.join(options.cpuProfDir, 'node.cpuprofile')}):\n${formatProfileSummary(nodeProfile, 30)}`);
      say(`\nCPU per request by category, node vs bare (profile self time from the first warm-up on / answers, warm-ups included):`);
      say(compareProfiles(nodeProfile, answeredBy.get(node.name) ?? 0, bareProfile, answeredBy.get(bare.name) ?? 0));
    }
    node = null;
    bare = null;
  } finally {
    if (node) await stop(node.child);
    if (bare) await stop(bare.child);
    for (const v of variantNodes) await stop(v.server.child);
    killAll();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  killAll();
  process.exit(1);
});
