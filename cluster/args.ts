/**
 * Command-line arguments of cluster:up, cluster:status and cluster:down. Pure: argv and cwd in, a
 * plain object out, so that the rules are unit-tested without starting anything.
 */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { validateRegionName } from '@latchkey/core';
import { ClusterError } from './cluster-error.ts';

export const DEFAULT_REGIONS: readonly string[] = ['eu', 'us', 'ap'];
export const DEFAULT_BASE = './.cluster';

export interface UpArgs {
  readonly help: boolean;
  readonly regions: readonly string[];
  /** Absolute. */
  readonly base: string;
}

export interface StatusArgs {
  readonly help: boolean;
  readonly base: string;
  readonly json: boolean;
}

export interface DownArgs {
  readonly help: boolean;
  readonly base: string;
  readonly purge: boolean;
}

export const USAGE = {
  up: 'usage: pnpm cluster:up [--regions eu,us,ap] [--base ./.cluster]',
  status: 'usage: pnpm cluster:status [--base ./.cluster] [--json]',
  down: 'usage: pnpm cluster:down [--base ./.cluster] [--purge]',
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(command: keyof typeof USAGE, argv: readonly string[], options: Options): Record<string, string | boolean | undefined> {
  // `pnpm cluster:up -- --regions a` hands the separator through; it carries no meaning here.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new ClusterError(`${(error as Error).message}\n${USAGE[command]}`, 2);
  }
}

function baseFrom(values: Record<string, unknown>, cwd: string): string {
  const base = values.base;
  if (base === undefined) return resolve(cwd, DEFAULT_BASE);
  if (typeof base !== 'string' || base.trim() === '') throw new ClusterError('--base needs a folder path', 2);
  return resolve(cwd, base);
}

/** "eu,us,ap" into validated, distinct region names, in the order given (the first one is the bootstrap region). */
export function parseRegions(raw: string): string[] {
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new ClusterError('--regions needs at least one region name, e.g. --regions eu,us,ap', 2);
  for (const name of names) {
    try {
      validateRegionName(name);
    } catch (error) {
      throw new ClusterError(`--regions: ${(error as Error).message}`, 2);
    }
  }
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new ClusterError(`--regions: ${repeated.join(', ')} appears more than once`, 2);
  return names;
}

export function parseUpArgs(argv: readonly string[], cwd: string): UpArgs {
  const values = parse('up', argv, { regions: { type: 'string', short: 'r' }, base: { type: 'string', short: 'b' } });
  const regions = typeof values.regions === 'string' ? parseRegions(values.regions) : [...DEFAULT_REGIONS];
  return { help: values.help === true, regions, base: baseFrom(values, cwd) };
}

export function parseStatusArgs(argv: readonly string[], cwd: string): StatusArgs {
  const values = parse('status', argv, { base: { type: 'string', short: 'b' }, json: { type: 'boolean' } });
  return { help: values.help === true, base: baseFrom(values, cwd), json: values.json === true };
}

export function parseDownArgs(argv: readonly string[], cwd: string): DownArgs {
  const values = parse('down', argv, { base: { type: 'string', short: 'b' }, purge: { type: 'boolean' } });
  return { help: values.help === true, base: baseFrom(values, cwd), purge: values.purge === true };
}
