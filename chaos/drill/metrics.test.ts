// Proves the drill's definitions: the longest gap without success (counted from the last success
// before the fault, and up to the end of the window), per-client failover, the cluster-wide
// control-plane outage, time buckets, percentiles and when replication counts as recovered.
import { describe, expect, it } from 'vitest';
import type { CallRecord, StatusSample } from './drill-types.ts';
import { buckets, controlPlaneUnavailableMs, failoverMsByRegion, lagP99Ms, longestGapMs, percentile, replicationRecoveredMs, summarizeCalls } from './metrics.ts';

const call = (home: string, plane: 'data' | 'control', startMs: number, endMs: number, ok = true, code?: string): CallRecord =>
  ({ op: plane === 'data' ? 'encrypt' : 'createKey', plane, home, startMs, endMs, ok, attempts: 1, ...(code ? { code } : {}) });
const sample = (region: string, atMs: number, lagMs: number | null): StatusSample =>
  (lagMs === null ? { region, atMs, answered: false } : { region, atMs, answered: true, appliedSeq: 1, lagMs });

describe('drill metrics', () => {
  it('measures the longest stretch without success inside the window', () => {
    expect(longestGapMs([100, 200, 900, 1000], 150, 1000)).toBe(700);
    // The last success before the window starts the first gap.
    expect(longestGapMs([100, 1200], 500, 1300)).toBe(1100);
    // No success after the window start: the gap runs to its end.
    expect(longestGapMs([100], 500, 2000)).toBe(1900);
    expect(longestGapMs([], 500, 800)).toBe(300);
  });

  it('gives failover per home region from data-plane calls only', () => {
    const calls = [call('eu', 'data', 0, 100), call('eu', 'data', 100, 1600), call('us', 'data', 0, 100), call('us', 'data', 150, 200), call('us', 'control', 0, 5000)];
    // us made its last data-plane call at 200: the time after it (its control call) is no outage.
    expect(failoverMsByRegion(calls, ['eu', 'us', 'ap'], 50, 1600)).toEqual({ eu: 1500, us: 100 });
    // A failing call at the end still counts up to its own end.
    expect(failoverMsByRegion([...calls, call('us', 'data', 300, 900, false, 'NetworkError')], ['us'], 50, 1600)).toEqual({ us: 700 });
  });

  it('gives the control-plane outage across all clients', () => {
    const calls = [call('eu', 'control', 0, 1000), call('us', 'control', 0, 3000), call('ap', 'control', 2000, 6000), call('ap', 'control', 6000, 6100, false)];
    expect(controlPlaneUnavailableMs(calls, 0, 6100)).toBe(3000);
  });

  it('buckets calls by completion and computes latency percentiles', () => {
    const calls = [call('eu', 'data', 0, 10), call('eu', 'data', 0, 30), call('eu', 'data', 0, 600, false, 'NetworkError'), call('eu', 'control', 400, 700)];
    const result = buckets(calls, 500, 1000);
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({ startMs: 0, dataOk: 2, controlOk: 0, errors: 0, dataP50Ms: 10, dataP99Ms: 30 });
    expect(result[1]).toMatchObject({ startMs: 500, dataOk: 0, controlOk: 1, errors: 1, dataP50Ms: null, controlP50Ms: 300 });
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 99)).toBeNull();
    expect(summarizeCalls(calls)).toMatchObject({ calls: 4, ok: 3, clientErrors: 1, errorsByCode: { NetworkError: 1 } });
  });

  it('counts replication as recovered once no region is silent or lagging after the heal', () => {
    const samples = [sample('eu', 900, null), sample('eu', 1100, 5000), sample('us', 1200, 0), sample('eu', 1600, 1200), sample('eu', 1800, 10)];
    expect(replicationRecoveredMs(samples, 1000)).toBe(600);
    expect(replicationRecoveredMs([sample('eu', 1100, 10)], 1000)).toBe(0);
    expect(lagP99Ms(samples)).toBe(5000);
    expect(lagP99Ms(samples, 'us')).toBe(0);
  });
});
