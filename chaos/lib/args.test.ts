// Proves the command lines of pnpm chaos and pnpm drill: defaults, every option, and usage errors
// (exit code 2) for unknown options, bad numbers, bad methods and two scenarios at once.
import { describe, expect, it } from 'vitest';
import { ChaosError } from './chaos-error.ts';
import { parseChaosArgs, parseDrillArgs } from './args.ts';

describe('chaos args', () => {
  it('has defaults', () => {
    expect(parseChaosArgs(['region-partition'], '/w')).toEqual({
      help: false, command: 'region-partition', base: '/w/.cluster', region: null, durationMs: 15_000,
      options: { method: 'auto', latencyMs: 150, skewMs: 300_000 },
    });
  });

  it('reads every option, and ignores the -- pnpm passes through', () => {
    const args = parseChaosArgs(['--', 'clock-skew', '--base', 'x', '--region', 'us', '--duration-ms', '5000', '--method', 'pause', '--latency-ms', '20', '--skew-ms=-60000'], '/w');
    expect(args).toMatchObject({ command: 'clock-skew', base: '/w/x', region: 'us', durationMs: 5000, options: { method: 'pause', latencyMs: 20, skewMs: -60_000 } });
  });

  it('refuses mistakes with exit code 2', () => {
    for (const argv of [['a', 'b'], ['x', '--nope'], ['x', '--duration-ms', 'soon'], ['x', '--method', 'magic'], ['x', '--region', 'EU!']]) {
      expect(() => parseChaosArgs(argv, '/w'), argv.join(' ')).toThrow(ChaosError);
      try {
        parseChaosArgs(argv, '/w');
      } catch (error) {
        expect((error as ChaosError).exitCode).toBe(2);
      }
    }
  });
});

describe('drill args', () => {
  it('has defaults and reads its own options', () => {
    expect(parseDrillArgs(['node-kill'], '/w')).toMatchObject({ command: 'node-kill', out: null, durationS: 60, keepCluster: false, base: '/w/.cluster' });
    expect(parseDrillArgs(['node-kill', '--out', 'r', '--duration-s', '20', '--keep-cluster'], '/w')).toMatchObject({ out: '/w/r', durationS: 20, keepCluster: true });
  });

  it('refuses a drill shorter than 10 s', () => {
    expect(() => parseDrillArgs(['node-kill', '--duration-s', '5'], '/w')).toThrow(/from 10 to 3600/);
  });
});
