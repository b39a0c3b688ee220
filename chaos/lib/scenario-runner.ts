/**
 * Runs one scenario: inject, hold for the duration (or until interrupted), undo every registered
 * step last-first. Every undo step runs even when an earlier one failed, because leaving a process
 * paused or a firewall rule behind is worse than a noisy log. The result says exactly what
 * happened and when, for the CLI's exit code and for a drill's timeline.
 */
import { readManifest } from '../../cluster/manifest.ts';
import { errorText } from './chaos-error.ts';
import type { Log } from './event-log.ts';
import type { ChaosContext, Scenario, ScenarioOptions } from './scenario.ts';

export interface RunOptions {
  readonly base: string;
  readonly region: string | null;
  readonly durationMs: number;
  readonly options: ScenarioOptions;
  readonly log: Log;
  /** Abort to end the hold early (the undo still runs). */
  readonly signal?: AbortSignal;
}

export interface FaultRecord {
  readonly scenario: string;
  readonly target: string | null;
  readonly method: string | null;
  readonly startedAtMs: number;
  /** When the fault was fully in place; null if it could not be applied. */
  readonly appliedAtMs: number | null;
  readonly healStartedAtMs: number;
  readonly healedAtMs: number;
  readonly applied: boolean;
  readonly undone: boolean;
  readonly errors: readonly string[];
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function holdFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function undoAll(steps: { label: string; undo: () => Promise<void> }[], log: Log, errors: string[]): Promise<boolean> {
  let ok = true;
  for (const step of [...steps].reverse()) {
    try {
      await step.undo();
      log(`undone: ${step.label}`);
    } catch (error) {
      ok = false;
      errors.push(`undo ${step.label}: ${errorText(error)}`);
      log(`COULD NOT UNDO ${step.label}: ${errorText(error)}`);
    }
  }
  return ok;
}

export async function runScenario(scenario: Scenario, run: RunOptions): Promise<FaultRecord> {
  const steps: { label: string; undo: () => Promise<void> }[] = [];
  const errors: string[] = [];
  const abort = new AbortController();
  const forward = (): void => abort.abort();
  run.signal?.addEventListener('abort', forward, { once: true });
  if (run.signal?.aborted) abort.abort();
  const ctx: ChaosContext = {
    base: run.base, region: run.region, durationMs: run.durationMs, options: run.options, log: run.log, signal: abort.signal,
    manifest: () => readManifest(run.base),
    onUndo: (label, undo) => void steps.push({ label, undo }),
  };
  const startedAtMs = Date.now();
  let appliedAtMs: number | null = null;
  let target: string | null = null;
  let method: string | null = null;
  try {
    run.log(`injecting: ${scenario.summary}`);
    const injected = await scenario.inject(ctx);
    ({ target, method } = injected);
    appliedAtMs = Date.now();
    run.log(`applied to ${target} by ${method}`);
    if (scenario.holds) {
      run.log(`holding for ${Math.round(run.durationMs / 100) / 10} s`);
      await holdFor(run.durationMs, abort.signal);
      if (abort.signal.aborted) run.log('interrupted: healing now');
    }
  } catch (error) {
    errors.push(`apply: ${errorText(error)}`);
    run.log(`COULD NOT APPLY: ${errorText(error)}`);
  } finally {
    run.signal?.removeEventListener('abort', forward);
  }
  const healStartedAtMs = Date.now();
  if (steps.length > 0) run.log(`healing: undoing ${steps.length} step(s)`);
  const undone = await undoAll(steps, run.log, errors);
  const healedAtMs = Date.now();
  run.log(undone ? `healed in ${healedAtMs - healStartedAtMs} ms` : 'NOT fully healed: see the errors above and run pnpm chaos heal');
  return { scenario: scenario.name, target, method, startedAtMs, appliedAtMs, healStartedAtMs, healedAtMs, applied: appliedAtMs !== null, undone, errors };
}
