import { describe, expect, it } from 'vitest';
import { parseDownArgs, parseRegions, parseStatusArgs, parseUpArgs } from './args.ts';
import { ClusterError } from './cluster-error.ts';

const cwd = '/repo';

function usageError(fn: () => unknown): ClusterError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).exitCode).toBe(2);
    return error as ClusterError;
  }
  throw new Error('expected a usage error');
}

describe('cluster:up arguments', () => {
  it('defaults to eu,us,ap under ./.cluster, resolved against the working directory', () => {
    expect(parseUpArgs([], cwd)).toEqual({ help: false, regions: ['eu', 'us', 'ap'], base: '/repo/.cluster' });
  });

  it('takes --regions in the order given and --base relative or absolute', () => {
    expect(parseUpArgs(['--regions', 'us, eu-west ,ap', '--base', 'tmp/c'], cwd)).toEqual({ help: false, regions: ['us', 'eu-west', 'ap'], base: '/repo/tmp/c' });
    expect(parseUpArgs(['--regions=solo', '--base=/var/c'], cwd).base).toBe('/var/c');
    expect(parseUpArgs(['--regions=solo'], cwd).regions).toEqual(['solo']);
  });

  it('ignores the "--" that pnpm passes through', () => {
    expect(parseUpArgs(['--', '--regions', 'eu'], cwd).regions).toEqual(['eu']);
  });

  it('refuses bad, repeated or missing region names with a usage error', () => {
    expect(usageError(() => parseUpArgs(['--regions', 'EU'], cwd)).message).toMatch(/--regions: region "EU"/);
    expect(usageError(() => parseUpArgs(['--regions', 'eu,us,eu'], cwd)).message).toMatch(/eu appears more than once/);
    expect(usageError(() => parseUpArgs(['--regions', ' , '], cwd)).message).toMatch(/at least one region/);
    expect(usageError(() => parseRegions('eu;us')).message).toMatch(/eu;us/);
  });

  it('refuses unknown options and stray words, showing the usage', () => {
    expect(usageError(() => parseUpArgs(['--region', 'eu'], cwd)).message).toMatch(/usage: pnpm cluster:up/);
    expect(usageError(() => parseUpArgs(['eu'], cwd)).message).toMatch(/usage: pnpm cluster:up/);
    expect(usageError(() => parseUpArgs(['--base', ''], cwd)).message).toMatch(/--base needs a folder/);
  });

  it('knows --help', () => {
    expect(parseUpArgs(['-h'], cwd).help).toBe(true);
  });
});

describe('cluster:status and cluster:down arguments', () => {
  it('status takes --base and --json', () => {
    expect(parseStatusArgs([], cwd)).toEqual({ help: false, base: '/repo/.cluster', json: false });
    expect(parseStatusArgs(['--json', '--base', 'x'], cwd)).toEqual({ help: false, base: '/repo/x', json: true });
    usageError(() => parseStatusArgs(['--regions', 'eu'], cwd));
  });

  it('down takes --base and --purge', () => {
    expect(parseDownArgs([], cwd)).toEqual({ help: false, base: '/repo/.cluster', purge: false });
    expect(parseDownArgs(['--purge'], cwd).purge).toBe(true);
    usageError(() => parseDownArgs(['--purge=yes'], cwd));
  });
});
