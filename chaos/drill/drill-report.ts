/**
 * report.json: the verdict, the headline numbers the issue asks for, and the raw timeline data
 * (buckets, status samples, the fault window, the event log) so a postmortem can redraw or
 * re-analyse it. Building it is pure; writing the folder is one small function.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult } from '../../test/checkers/index.ts';
import type { LoggedEvent } from '../lib/event-log.ts';
import type { CallRecord, FaultWindow, LoadResult, StatusSample } from './drill-types.ts';
import {
  buckets, controlPlaneUnavailableMs, replicationRecoveredMs, failoverMsByRegion, lagP99Ms, summarizeCalls, type Bucket, type CallSummary,
} from './metrics.ts';
import type { Verification } from './verify.ts';

export const BUCKET_MS = 500;

export interface DrillReport {
  readonly scenario: string;
  readonly passed: boolean;
  /** Why it did not pass; empty when it passed. */
  readonly failures: readonly string[];
  readonly lostWrites: number;
  readonly decryptFailuresAfterHeal: number;
  readonly clientErrors: number;
  readonly failoverMs: number;
  readonly failoverMsByRegion: Readonly<Record<string, number>>;
  readonly controlPlaneUnavailableMs: number;
  /** From the end of the load to equal digests everywhere; null if they never became equal. */
  readonly convergeMs: number | null;
  /** From the end of the heal until every region reports a lag under 1 s for good. */
  readonly replicationRecoveredMs: number;
  readonly lagP99Ms: number | null;
  readonly lagP99MsByRegion: Readonly<Record<string, number | null>>;
  /** Keys each region repaired from a quorum read during the drill (the last sample it answered). */
  readonly repairsByRegion: Readonly<Record<string, number>>;
  readonly startedAt: string;
  readonly durationS: number;
  readonly regions: readonly string[];
  readonly fault: FaultWindow;
  readonly load: CallSummary & {
    readonly ackedVersions: number; readonly ciphertexts: number; readonly keys: number; readonly decryptAttemptsAfterHeal: number;
    readonly sdk: LoadResult['sdk'];
  };
  readonly checks: readonly { readonly checker: string; readonly violationCount: number; readonly violations: readonly string[] }[];
  readonly timeline: {
    readonly bucketMs: number;
    readonly loadStartMs: number;
    readonly loadEndMs: number;
    readonly convergedMs: number | null;
    readonly buckets: readonly Bucket[];
    readonly samples: readonly StatusSample[];
    /** Every call the applications saw fail (the first 1000), for the postmortem. */
    readonly failedCalls: readonly CallRecord[];
    readonly events: readonly { readonly atMs: number; readonly source: string; readonly text: string }[];
  };
}

export interface ReportInput {
  readonly scenario: string;
  readonly t0: number;
  readonly durationS: number;
  readonly regions: readonly string[];
  readonly fault: FaultWindow;
  readonly load: LoadResult;
  readonly loadStartMs: number;
  readonly loadEndMs: number;
  readonly samples: readonly StatusSample[];
  readonly converged: boolean;
  readonly convergeWaitMs: number;
  readonly verification: Verification;
  readonly events: readonly LoggedEvent[];
}

function failuresOf(input: ReportInput, checks: readonly CheckResult[]): string[] {
  const failures: string[] = [];
  if (!input.fault.applied) failures.push(`the fault could not be applied: ${input.fault.errors.join('; ')}`);
  if (!input.fault.undone) failures.push(`the fault was not fully undone: ${input.fault.errors.join('; ')}`);
  if (!input.converged) failures.push(`regions did not converge within ${Math.round(input.convergeWaitMs / 1000)} s of the end of the load`);
  for (const check of checks) if (check.violations.length > 0) failures.push(`${check.checker}: ${check.violations.length} violation(s)`);
  if (input.load.acked.length === 0 || input.load.ciphertexts.length === 0) failures.push('the load acknowledged no write or no ciphertext: nothing was proven');
  return failures;
}

export function buildReport(input: ReportInput): DrillReport {
  const { fault, load, samples, regions, loadEndMs } = input;
  const byRegion = failoverMsByRegion(load.calls, regions, fault.startMs, loadEndMs);
  const checks = input.verification.results;
  const failures = failuresOf(input, checks);
  const summary = summarizeCalls(load.calls);
  return {
    scenario: input.scenario,
    passed: failures.length === 0,
    failures,
    lostWrites: input.verification.lostWrites,
    decryptFailuresAfterHeal: input.verification.decryptFailuresAfterHeal,
    clientErrors: summary.clientErrors,
    failoverMs: Math.max(0, ...Object.values(byRegion)),
    failoverMsByRegion: byRegion,
    controlPlaneUnavailableMs: controlPlaneUnavailableMs(load.calls, fault.startMs, loadEndMs),
    convergeMs: input.converged ? input.convergeWaitMs : null,
    replicationRecoveredMs: replicationRecoveredMs(samples, fault.healedMs),
    lagP99Ms: lagP99Ms(samples),
    lagP99MsByRegion: Object.fromEntries(regions.map((r) => [r, lagP99Ms(samples, r)])),
    repairsByRegion: Object.fromEntries(regions.map((r) => [r, Math.max(0, ...samples.filter((x) => x.region === r).map((x) => x.repairs ?? 0))])),
    startedAt: new Date(input.t0).toISOString(),
    durationS: input.durationS,
    regions,
    fault,
    load: {
      ...summary, ackedVersions: load.acked.length, ciphertexts: load.ciphertexts.length, keys: load.keys.length,
      decryptAttemptsAfterHeal: input.verification.decryptAttempts, sdk: load.sdk,
    },
    checks: checks.map((c) => ({ checker: c.checker, violationCount: c.violations.length, violations: c.violations.slice(0, 50) })),
    timeline: {
      bucketMs: BUCKET_MS,
      loadStartMs: input.loadStartMs,
      loadEndMs,
      convergedMs: input.converged ? loadEndMs + input.convergeWaitMs : null,
      buckets: buckets(load.calls, BUCKET_MS, loadEndMs),
      samples,
      failedCalls: load.calls.filter((c) => !c.ok).slice(0, 1000),
      events: input.events.map((e) => ({ atMs: e.atMs - input.t0, source: e.source, text: e.text })),
    },
  };
}

export async function writeReportFolder(dir: string, report: DrillReport, html: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'report.html'), html);
}
