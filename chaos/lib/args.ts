/**
 * Command-line arguments of `pnpm chaos` and `pnpm drill`. Pure: argv and cwd in, a plain object
 * out, so that the rules are unit-tested without touching a cluster.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ChaosError } from './chaos-error.ts';
import { DEFAULT_SCENARIO_OPTIONS, type PartitionMethod, type ScenarioOptions } from './scenario.ts';

export const CHAOS_USAGE = `usage: pnpm chaos <scenario> [--base ./.cluster] [--region R] [--duration-ms 15000]
                   [--method auto|pause|firewall|both] [--latency-ms 150] [--skew-ms 300000 | --skew-ms=-300000]
       pnpm chaos list | capabilities | heal [--base ./.cluster]`;

export const DRILL_USAGE = `usage: pnpm drill <scenario> [--out ./.drills/<scenario>-<time>] [--duration-s 60] [--base ./.cluster]
                   [--region R] [--method auto|pause|firewall|both] [--latency-ms 150] [--skew-ms 300000] [--keep-cluster]`;

export interface ChaosArgs {
  readonly help: boolean;
  /** A scenario name, or one of the commands list, capabilities, heal. */
  readonly command: string | null;
  readonly base: string;
  readonly region: string | null;
  readonly durationMs: number;
  readonly options: ScenarioOptions;
}

export interface DrillArgs extends Omit<ChaosArgs, 'durationMs'> {
  /** Null: ./.drills/<scenario>-<time> under the current directory. */
  readonly out: string | null;
  readonly durationS: number;
  /** Leave a cluster the drill started running afterwards. */
  readonly keepCluster: boolean;
}

const METHODS: readonly PartitionMethod[] = ['auto', 'pause', 'firewall', 'both'];

const common = {
  help: { type: 'boolean', short: 'h' },
  base: { type: 'string' },
  region: { type: 'string' },
  method: { type: 'string' },
  'latency-ms': { type: 'string' },
  'skew-ms': { type: 'string' },
} as const;

function integer(values: Record<string, unknown>, name: string, fallback: number, min: number, max: number, usage: string): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ChaosError(`--${name} must be an integer from ${min} to ${max}, got ${String(raw)}\n${usage}`, 2);
  return value;
}

function parsed(argv: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }>, usage: string): { values: Record<string, unknown>; positionals: string[] } {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    return parseArgs({ args, options: { ...common, ...extra }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new ChaosError(`${(error as Error).message}\n${usage}`, 2);
  }
}

function shared(values: Record<string, unknown>, positionals: string[], cwd: string, usage: string) {
  if (positionals.length > 1) throw new ChaosError(`one scenario at a time, got ${positionals.join(' ')}\n${usage}`, 2);
  const method = (values.method ?? 'auto') as PartitionMethod;
  if (!METHODS.includes(method)) throw new ChaosError(`--method must be one of ${METHODS.join(', ')}\n${usage}`, 2);
  const region = values.region as string | undefined;
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) throw new ChaosError(`--region ${region} is not a region name\n${usage}`, 2);
  return {
    help: values.help === true,
    command: positionals[0] ?? null,
    base: resolve(cwd, (values.base as string | undefined) ?? './.cluster'),
    region: region ?? null,
    options: {
      method,
      latencyMs: integer(values, 'latency-ms', DEFAULT_SCENARIO_OPTIONS.latencyMs, 1, 10_000, usage),
      skewMs: integer(values, 'skew-ms', DEFAULT_SCENARIO_OPTIONS.skewMs, -86_400_000, 86_400_000, usage),
    },
  };
}

export function parseChaosArgs(argv: readonly string[], cwd: string): ChaosArgs {
  const { values, positionals } = parsed(argv, { 'duration-ms': { type: 'string' } }, CHAOS_USAGE);
  return { ...shared(values, positionals, cwd, CHAOS_USAGE), durationMs: integer(values, 'duration-ms', 15_000, 0, 3_600_000, CHAOS_USAGE) };
}

export function parseDrillArgs(argv: readonly string[], cwd: string): DrillArgs {
  const { values, positionals } = parsed(argv, { out: { type: 'string' }, 'duration-s': { type: 'string' }, 'keep-cluster': { type: 'boolean' } }, DRILL_USAGE);
  const out = values.out as string | undefined;
  return {
    ...shared(values, positionals, cwd, DRILL_USAGE),
    out: out === undefined ? null : resolve(cwd, out),
    durationS: integer(values, 'duration-s', 60, 10, 3600, DRILL_USAGE),
    keepCluster: values['keep-cluster'] === true,
  };
}
