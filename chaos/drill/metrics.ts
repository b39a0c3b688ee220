/**
 * What the drill measured, from its plain records. Pure, so that every definition is unit-tested:
 *
 * - failoverMs: the longest time an application client (one per home region) went without a
 *   successful data-plane answer, from the fault's start to the end of that client's last
 *   data-plane call (not the end of the whole load: control-plane calls still in flight when the
 *   load stops must not count as a data-plane outage). It includes the
 *   SDK's time-outs and failovers: it is what the caller sees. At the drill's load rate the gap on a
 *   healthy cluster is a few tens of ms.
 * - controlPlaneUnavailableMs: the longest time no client anywhere got a successful control-plane
 *   write (create, rotate), over the same window: the cluster's write outage.
 * - replicationRecoveredMs: from the end of the heal until every region answers its status with a
 *   lag under 1 s for good.
 * - lagP99Ms: p99 of the replication lag the regions reported (every ~250 ms) during the drill.
 */
import type { CallRecord, FaultWindow, Plane, StatusSample } from './drill-types.ts';

export interface Bucket {
  readonly startMs: number;
  readonly dataOk: number;
  readonly controlOk: number;
  readonly errors: number;
  readonly dataP50Ms: number | null;
  readonly dataP99Ms: number | null;
  readonly controlP50Ms: number | null;
  readonly controlP99Ms: number | null;
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The longest stretch in [fromMs, toMs] without one of the given success times (the last one before fromMs counts as the start). */
export function longestGapMs(successEnds: readonly number[], fromMs: number, toMs: number): number {
  const sorted = [...successEnds].sort((a, b) => a - b);
  const before = sorted.filter((t) => t <= fromMs);
  const points = [before.length > 0 ? before[before.length - 1]! : fromMs, ...sorted.filter((t) => t > fromMs && t <= toMs), toMs];
  let longest = 0;
  for (let i = 1; i < points.length; i++) longest = Math.max(longest, points[i]! - points[i - 1]!);
  return Math.round(longest);
}

const successEnds = (calls: readonly CallRecord[], plane: Plane, home?: string): number[] =>
  calls.filter((c) => c.ok && c.plane === plane && (home === undefined || c.home === home)).map((c) => c.endMs);

/** Per home region that made data-plane calls at all (a client that made none saw no outage, nor anything else). */
export function failoverMsByRegion(calls: readonly CallRecord[], homes: readonly string[], fromMs: number, toMs: number): Record<string, number> {
  const active = homes.filter((home) => calls.some((c) => c.plane === 'data' && c.home === home));
  return Object.fromEntries(active.map((home) => {
    const lastEnd = Math.max(...calls.filter((c) => c.plane === 'data' && c.home === home).map((c) => c.endMs));
    return [home, longestGapMs(successEnds(calls, 'data', home), fromMs, Math.max(fromMs, Math.min(toMs, lastEnd)))];
  }));
}

export function controlPlaneUnavailableMs(calls: readonly CallRecord[], fromMs: number, toMs: number): number {
  return longestGapMs(successEnds(calls, 'control'), fromMs, toMs);
}

export function buckets(calls: readonly CallRecord[], bucketMs: number, endMs: number): Bucket[] {
  const count = Math.max(1, Math.ceil(endMs / bucketMs));
  const groups = Array.from({ length: count }, () => [] as CallRecord[]);
  for (const call of calls) groups[Math.min(count - 1, Math.max(0, Math.floor(call.endMs / bucketMs)))]!.push(call);
  return groups.map((group, i) => {
    const latency = (plane: Plane): number[] => group.filter((c) => c.ok && c.plane === plane).map((c) => c.endMs - c.startMs);
    return {
      startMs: i * bucketMs,
      dataOk: group.filter((c) => c.ok && c.plane === 'data').length,
      controlOk: group.filter((c) => c.ok && c.plane === 'control').length,
      errors: group.filter((c) => !c.ok).length,
      dataP50Ms: percentile(latency('data'), 50),
      dataP99Ms: percentile(latency('data'), 99),
      controlP50Ms: percentile(latency('control'), 50),
      controlP99Ms: percentile(latency('control'), 99),
    };
  });
}

/**
 * From the end of the heal to the last moment any region was still unhealthy for replication (its
 * status did not answer, or it reported a lag of `lagLimitMs` or more); 0 when none was after the heal.
 * A region whose applier stalls after the heal shows here even when its lag was fine before.
 */
export function replicationRecoveredMs(samples: readonly StatusSample[], healedMs: number, lagLimitMs = 1000): number {
  const unhealthy = samples.filter((s) => s.atMs >= healedMs && (!s.answered || (s.lagMs ?? 0) >= lagLimitMs));
  return unhealthy.length === 0 ? 0 : Math.max(...unhealthy.map((s) => s.atMs)) - healedMs;
}

export function lagP99Ms(samples: readonly StatusSample[], region?: string): number | null {
  return percentile(samples.filter((s) => s.answered && s.lagMs !== undefined && (region === undefined || s.region === region)).map((s) => s.lagMs!), 99);
}

export interface CallSummary {
  readonly calls: number;
  readonly ok: number;
  /** Calls that failed as the application saw them (after the SDK's retries). */
  readonly clientErrors: number;
  readonly indeterminate: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly dataP50Ms: number | null;
  readonly dataP99Ms: number | null;
  readonly controlP50Ms: number | null;
  readonly controlP99Ms: number | null;
}

export function summarizeCalls(calls: readonly CallRecord[]): CallSummary {
  const failed = calls.filter((c) => !c.ok);
  const errorsByCode: Record<string, number> = {};
  for (const c of failed) errorsByCode[c.code ?? 'unknown'] = (errorsByCode[c.code ?? 'unknown'] ?? 0) + 1;
  const latency = (plane: Plane): number[] => calls.filter((c) => c.ok && c.plane === plane).map((c) => c.endMs - c.startMs);
  return {
    calls: calls.length, ok: calls.length - failed.length, clientErrors: failed.length, indeterminate: failed.filter((c) => c.indeterminate).length, errorsByCode,
    dataP50Ms: percentile(latency('data'), 50), dataP99Ms: percentile(latency('data'), 99),
    controlP50Ms: percentile(latency('control'), 50), controlP99Ms: percentile(latency('control'), 99),
  };
}

/** The window the metrics look at: from the fault's start to the end of the load. */
export const measuredWindow = (fault: FaultWindow, loadEndMs: number): { fromMs: number; toMs: number } => ({ fromMs: fault.startMs, toMs: loadEndMs });
