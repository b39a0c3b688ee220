/**
 * One game-day drill against a running cluster: check it is healthy, start the load in every
 * region, let it warm up, inject the scenario (held for its share of the duration, then undone by
 * the scenario runner), keep the load going while the cluster recovers, stop it, wait for the
 * regions to converge, check everything with the shared checkers, and write the report folder.
 *
 * Phases of a drill of D seconds: warm-up max(3 s, 20% D), fault max(4 s, 40% D), then load until D
 * (at least 4 s after the heal, so recovery is always on the picture).
 */
import { randomBytes } from 'node:crypto';
import { readManifest, type Manifest } from '../../cluster/manifest.ts';
import { detectCapabilities } from '../lib/capabilities.ts';
import { ChaosError } from '../lib/chaos-error.ts';
import type { EventLog } from '../lib/event-log.ts';
import type { Scenario, ScenarioOptions } from '../lib/scenario.ts';
import { holdFor, runScenario } from '../lib/scenario-runner.ts';
import { waitConverged } from './converge.ts';
import { buildReport, writeReportFolder, type DrillReport } from './drill-report.ts';
import type { FaultWindow } from './drill-types.ts';
import { DrillLoad } from './load.ts';
import { reportHtml } from './report-html.ts';
import { StatusSampler } from './status-sampler.ts';
import { verifyAfterHeal } from './verify.ts';

export interface DrillOptions {
  readonly scenario: Scenario;
  readonly base: string;
  readonly outDir: string;
  readonly durationS: number;
  readonly region: string | null;
  readonly options: ScenarioOptions;
  readonly events: EventLog;
  readonly signal?: AbortSignal;
  /** Per region, both data-plane workers together. Default 30. */
  readonly dataOpsPerSecond?: number;
  /** Per region. Default 4. */
  readonly controlOpsPerSecond?: number;
}

export const phases = (durationS: number): { warmupMs: number; faultMs: number; minRecoveryMs: number } => ({
  warmupMs: Math.max(3000, durationS * 200),
  faultMs: Math.max(4000, durationS * 400),
  minRecoveryMs: 4000,
});

const CONVERGE_TIMEOUT_MS = 60_000;

async function preflight(manifest: Manifest): Promise<void> {
  const ready = await waitConverged(manifest, 20_000);
  if (!ready.converged) {
    const seen = ready.digests.map((d) => `${d.region} seq ${d.appliedSeq}`).join(', ') || 'no region answered';
    throw new ChaosError(`the cluster at ${manifest.base} is not healthy and converged before the drill (${seen}); check pnpm cluster:status, or pnpm chaos heal`);
  }
}

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const log = o.events.for(`drill ${o.scenario.name}`);
  const manifest = await readManifest(o.base);
  await preflight(manifest);
  // Probed now, so the fault later starts at once instead of after half a second of probing.
  await detectCapabilities();
  const t0 = Date.now();
  const { warmupMs, faultMs, minRecoveryMs } = phases(o.durationS);
  // Every loop also stops at this absolute time, whatever happens to the orchestration.
  const hardStopAt = t0 + o.durationS * 1000 + faultMs + 180_000;
  const load = new DrillLoad({
    manifest, t0, hardStopAt, runId: randomBytes(4).toString('hex'), log,
    dataOpsPerSecond: o.dataOpsPerSecond ?? 30, controlOpsPerSecond: o.controlOpsPerSecond ?? 4, maxOpsPerWorker: 100_000,
  });
  const sampler = new StatusSampler(manifest, t0, hardStopAt);
  sampler.start();
  let finished = false;
  try {
    await load.start();
    const loadStartMs = Date.now() - t0;
    await holdFor(warmupMs, o.signal);
    const fault = await injectFault(o, t0, faultMs);
    await holdFor(Math.max(minRecoveryMs, t0 + loadStartMs + o.durationS * 1000 - Date.now()), o.signal);

    log('stopping the load');
    const result = await load.stop();
    const loadEndMs = Date.now() - t0;
    log(`load stopped: ${result.calls.length} calls, ${result.acked.length} acknowledged versions, ${result.ciphertexts.length} ciphertexts; waiting for convergence`);
    const after = await readManifest(o.base);
    const convergence = await waitConverged(after, CONVERGE_TIMEOUT_MS);
    log(convergence.converged ? `converged ${convergence.waitedMs} ms after the load stopped` : `NOT converged after ${convergence.waitedMs} ms`);
    const samples = await sampler.stop();
    finished = true;
    log('checking every acknowledged write and ciphertext in every region');
    const verification = await verifyAfterHeal(after, result, convergence.digests);

    const report = buildReport({
      scenario: o.scenario.name, t0, durationS: o.durationS, regions: manifest.regions.map((r) => r.name), fault, load: result,
      loadStartMs, loadEndMs, samples, converged: convergence.converged, convergeWaitMs: convergence.waitedMs, verification, events: o.events.events,
    });
    await writeReportFolder(o.outDir, report, reportHtml(report));
    log(`${report.passed ? 'PASSED' : `FAILED: ${report.failures.join('; ')}`}; report in ${o.outDir}`);
    return report;
  } finally {
    // On any failure above, nothing may keep running in the background.
    if (!finished) await Promise.all([load.stop().catch(() => undefined), sampler.stop()]);
  }
}

async function injectFault(o: DrillOptions, t0: number, faultMs: number): Promise<FaultWindow> {
  const record = await runScenario(o.scenario, {
    base: o.base, region: o.region, durationMs: faultMs, options: o.options, log: o.events.for(`chaos ${o.scenario.name}`), ...(o.signal ? { signal: o.signal } : {}),
  });
  return {
    scenario: record.scenario, target: record.target, method: record.method, startMs: record.startedAtMs - t0,
    appliedMs: record.appliedAtMs === null ? null : record.appliedAtMs - t0, healStartMs: record.healStartedAtMs - t0,
    healedMs: record.healedAtMs - t0, applied: record.applied, undone: record.undone, errors: record.errors,
  };
}
