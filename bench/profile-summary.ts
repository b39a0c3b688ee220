/**
 * Where the time goes in a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per
 * category (fastify, routing, validation, JSON, auth hash, AES, logging, metrics, node:http, GC).
 * Percentages are of the busy time (samples that are not "(idle)").
 *
 *   node bench/profile-summary.ts <file.cpuprofile> [top N]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: readonly { name: string; where: string; category: string; ms: number; share: number }[];
  readonly categories: readonly { category: string; ms: number; share: number }[];
}

const RULES: readonly [RegExp, string][] = [
  [/find-my-way/, 'routing (find-my-way)'],
  [/\/ajv|fast-uri|json-schema/, 'validation (ajv)'],
  [/fast-json-stringify/, 'serialization (fast-json-stringify)'],
  [/secure-json-parse/, 'JSON parse (secure-json-parse)'],
  [/\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|@pinojs)\//, 'logging (pino)'],
  [/prom-client|tdigest|bintrees/, 'metrics (prom-client)'],
  [/\/(fastify|@fastify|avvio|light-my-request|toad-cache|process-warning|abstract-logging|rfdc)\//, 'fastify core'],
  [/packages\/crypto\//, 'latchkey crypto (packages/crypto)'],
  [/packages\/core\//, 'latchkey core (packages/core)'],
  [/packages\/node\//, 'latchkey node (packages/node)'],
  [/node:internal\/crypto|node:crypto/, 'node:crypto (JS side)'],
  [/node:(_http|http|internal\/http|internal\/streams|stream|internal\/stream)/, 'node:http and streams'],
  [/node:(net|internal\/net|internal\/stream_base|internal\/dgram|dns)/, 'node:net (sockets)'],
  [/node:internal\/(timers|process\/task_queues|async_hooks|process\/promises)|node:timers/, 'event loop, timers, promises'],
  [/^node:/, 'node: other built-ins'],
];

function categorize(frame: CallFrame): string {
  const { functionName: name, url } = frame;
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'V8/native (program)';
  if (name === '(root)') return 'V8/native (program)';
  for (const [pattern, category] of RULES) if (pattern.test(url)) return category;
  if (url === '') {
    if (/^(parse|stringify)$/.test(name)) return 'JSON (V8 built-in)';
    if (/^(update|final|setAAD|getAuthTag|setAuthTag|init|digest|createHash|Hash|Cipheriv|Decipheriv|randomFillSync)$/.test(name)) return 'node:crypto (native)';
    if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|readStop|readStart|onStreamRead)$/.test(name)) return 'node:net (sockets)';
    if (/^anonymous$|^$/.test(name)) return 'generated code (ajv validators / serializers) or natives';
    return 'V8/native built-ins';
  }
  return `other: ${url.replace(/^.*node_modules\/\.pnpm\/([^/]+)\/.*$/, '$1')}`;
}

function where(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/(packages\/)/, '$1');
  return url === '' ? '(native)' : `${url}:${frame.lineNumber + 1}`;
}

/**
 * `fromMicros` skips samples taken before that CLOCK_MONOTONIC time in µs (the clock of
 * process.hrtime and of V8's profiler on Linux): start-up and module loading stay out.
 */
export function summarizeProfile(profile: CpuProfile, fromMicros = 0): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromMicros) continue;
    // timeDeltas[i + 1] is the time until the next sample: the time spent in sample i.
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, { name: string; where: string; category: string; ms: number }>();
  const categories = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const [id, ms] of self) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const category = categorize(frame);
    if (category === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where: where(frame), category, ms: 0 };
    entry.ms += ms;
    functions.set(key, entry);
    categories.set(category, (categories.get(category) ?? 0) + ms);
  }
  const share = (ms: number) => (busyMs > 0 ? ms / busyMs : 0);
  return {
    busyMs, idleMs,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms).map((f) => ({ ...f, share: share(f.ms) })),
    categories: [...categories.entries()].sort((a, b) => b[1] - a[1]).map(([category, ms]) => ({ category, ms, share: share(ms) })),
  };
}

export function formatProfileSummary(summary: ProfileSummary, top = 25): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [`busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s; shares are of busy time`, '', 'by category (self time):'];
  for (const c of summary.categories) lines.push(`  ${pct(c.share)}  ${c.category}`);
  lines.push('', `top ${top} functions (self time):`);
  for (const f of summary.functions.slice(0, top)) lines.push(`  ${pct(f.share)}  ${f.name.padEnd(32)} ${f.category.padEnd(36)} ${f.where}`);
  return lines.join('\n');
}

/** Self time per answered request by category, for two profiles (µs/request), largest difference first. */
export function compareProfiles(a: ProfileSummary, aRequests: number, b: ProfileSummary, bRequests: number, names = ['node', 'bare']): string {
  const per = (s: ProfileSummary, n: number) => new Map(s.categories.map((c) => [c.category, (c.ms * 1000) / Math.max(1, n)]));
  const pa = per(a, aRequests);
  const pb = per(b, bRequests);
  const rows = [...new Set([...pa.keys(), ...pb.keys()])].map((category) => ({ category, a: pa.get(category) ?? 0, b: pb.get(category) ?? 0 }))
    .sort((x, y) => y.a - y.b - (x.a - x.b));
  const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  const lines = [`  ${'category'.padEnd(44)} ${names[0]?.padStart(9)} ${names[1]?.padStart(9)}      diff   (µs per request; ${aRequests} and ${bRequests} answers)`];
  for (const r of rows) {
    if (Math.max(r.a, r.b) < 0.05) continue;
    lines.push(`  ${r.category.padEnd(44)} ${r.a.toFixed(1).padStart(9)} ${r.b.toFixed(1).padStart(9)} ${(r.a - r.b).toFixed(1).padStart(9)}`);
  }
  lines.push(`  ${'total busy'.padEnd(44)} ${total(pa).toFixed(1).padStart(9)} ${total(pb).toFixed(1).padStart(9)} ${(total(pa) - total(pb)).toFixed(1).padStart(9)}`);
  return lines.join('\n');
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [top N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatProfileSummary(summarizeProfile(profile), Number(process.argv[3] ?? '30'))}\n`);
}
