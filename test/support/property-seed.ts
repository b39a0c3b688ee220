/**
 * One seed for every property test in test/: fixed by default so that runs are reproducible, and
 * overridable with LATCHKEY_SEED so that a failure printed elsewhere can be replayed exactly.
 */
import fc, { type IAsyncPropertyWithHooks, type RunDetails } from 'fast-check';

const DEFAULT_SEED = 20_260_101;

export function propertySeed(): number {
  const raw = process.env.LATCHKEY_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`LATCHKEY_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

/**
 * Runs an async property with the shared seed. On failure the error names the invariant, the seed
 * and how to replay it, followed by fast-check's own report (counterexample, shrink path).
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  invariant: string,
  property: IAsyncPropertyWithHooks<Ts>,
  options: { numRuns: number },
): Promise<RunDetails<Ts>> {
  const seed = propertySeed();
  const details = await fc.check(property, { seed, numRuns: options.numRuns });
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? 'no report';
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`property failed: ${invariant}\nseed ${seed} (replay with LATCHKEY_SEED=${seed})\n${cause}\n${report}`, {
      cause: details.errorInstance,
    });
  }
  return details;
}
