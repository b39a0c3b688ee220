/**
 * Runs a fast-check property with a seed that is fixed by default and overridable with
 * LATCHKEY_SEED (LATCHKEY_PATH replays one shrunk case directly), and turns a failure into a report
 * that names the invariant, the seed, the replay command and the shrunk schedule.
 */
import fc from 'fast-check';

export const DEFAULT_SEED = 20_260_101;

function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function simulationSeed(): number {
  return envInteger('LATCHKEY_SEED') ?? DEFAULT_SEED;
}

export interface SimulationRun<T> {
  /** The invariant's name, as the test names it (used in the replay command's -t filter). */
  readonly invariant: string;
  readonly testFile: string;
  readonly numRuns: number;
  /** Renders a counterexample for the report (one step per line). */
  readonly describe: (value: T) => string;
}

function failureReport<T>(run: SimulationRun<T>, details: fc.RunDetails<[T]>): string {
  const [value] = details.counterexample ?? [];
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return [
    `Invariant broken: ${run.invariant}`,
    `seed ${details.seed}, path ${details.counterexamplePath ?? '-'}, after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s)`,
    `replay: LATCHKEY_SEED=${details.seed} LATCHKEY_PATH=${details.counterexamplePath ?? ''} pnpm exec vitest run ${run.testFile} -t ${JSON.stringify(run.invariant)}`,
    'shrunk schedule:',
    value === undefined ? '(none)' : run.describe(value),
    'what went wrong:',
    error,
  ].join('\n');
}

export function assertSimulation<T>(run: SimulationRun<T>, property: fc.IProperty<[T]>): void {
  const seed = simulationSeed();
  const path = process.env.LATCHKEY_PATH;
  const replaying = path !== undefined && path !== '';
  const details = fc.check(property, { seed, numRuns: run.numRuns, ...(replaying ? { path, endOnFailure: true } : {}) });
  if (details.failed) {
    throw new Error(failureReport(run, details));
  }
}
