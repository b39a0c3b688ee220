/**
 * Property: any sequence of random batches (some refused whole, some separated by close/reopen)
 * leaves the store equal to a plain Map model, read through every public read path. Seeded, so a
 * failure replays: fast-check prints the seed and path; set STORAGE_PROPERTY_SEED to rerun one.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { scenario, type ScenarioStep } from './store-arbitraries.ts';
import type { StoreFactory } from './store-contract.ts';
import type { KeyStore } from './key-store.ts';
import { applyToModel, emptyModel, modelView, storeView, type StoreModel } from './store-model.ts';

const SEED = Number(process.env.STORAGE_PROPERTY_SEED ?? 20_260_428);

async function runStep(store: KeyStore, model: StoreModel, step: ScenarioStep): Promise<void> {
  if (step.type === 'reopen') {
    await store.close();
    await store.open();
  } else if (step.type === 'refused') {
    await expect(store.commit(step.batch)).rejects.toMatchObject({ code: 'KMSInternalException' });
  } else {
    await store.commit(step.batch);
    applyToModel(model, step.batch);
  }
}

export function storeModelProperty(factory: StoreFactory, numRuns: number): void {
  it(`equals a Map model after any sequence of random batches (seed ${SEED}, ${numRuns} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ steps, pageSize }) => {
        const fixture = await factory();
        try {
          await fixture.store.open();
          const model = emptyModel();
          for (const step of steps) await runStep(fixture.store, model, step);
          expect(await storeView(fixture.store, pageSize)).toEqual(modelView(model));
        } finally {
          await fixture.dispose();
        }
      }),
      { seed: SEED, numRuns },
    );
  });
}
