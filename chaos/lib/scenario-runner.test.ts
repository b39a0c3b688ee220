// Proves the scenario runner's promises: undo steps run last-first after the hold; a fault that
// fails half-way still undoes what it applied and is reported as not applied; a failing undo step
// does not stop the others and is reported; an abort ends the hold early and still heals.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO_OPTIONS, type Scenario } from './scenario.ts';
import { runScenario } from './scenario-runner.ts';

function fake(inject: Scenario['inject']): Scenario {
  return { name: 'fake', summary: 'a fake fault', holds: true, inject };
}

const run = (scenario: Scenario, durationMs = 20, signal?: AbortSignal) =>
  runScenario(scenario, { base: '/nowhere', region: null, durationMs, options: DEFAULT_SCENARIO_OPTIONS, log: () => undefined, ...(signal ? { signal } : {}) });

describe('scenario runner', () => {
  it('holds, then undoes last-first', async () => {
    const order: string[] = [];
    const record = await run(fake(async (ctx) => {
      ctx.onUndo('first', async () => void order.push('undo first'));
      ctx.onUndo('second', async () => void order.push('undo second'));
      return { target: 'x', method: 'test' };
    }));
    expect(order).toEqual(['undo second', 'undo first']);
    expect(record).toMatchObject({ applied: true, undone: true, target: 'x', method: 'test', errors: [] });
    expect(record.healStartedAtMs - record.appliedAtMs!).toBeGreaterThanOrEqual(15);
  });

  it('undoes the applied half of a fault that failed', async () => {
    const order: string[] = [];
    const record = await run(fake(async (ctx) => {
      ctx.onUndo('half', async () => void order.push('undo half'));
      throw new Error('second half failed');
    }));
    expect(order).toEqual(['undo half']);
    expect(record).toMatchObject({ applied: false, undone: true, appliedAtMs: null });
    expect(record.errors).toEqual(['apply: second half failed']);
  });

  it('runs every undo step even when one fails, and says so', async () => {
    const order: string[] = [];
    const record = await run(fake(async (ctx) => {
      ctx.onUndo('a', async () => void order.push('undo a'));
      ctx.onUndo('b', async () => {
        throw new Error('stuck');
      });
      return { target: 'x', method: 'test' };
    }));
    expect(order).toEqual(['undo a']);
    expect(record).toMatchObject({ applied: true, undone: false });
    expect(record.errors).toEqual(['undo b: stuck']);
  });

  it('ends the hold early on abort and still heals', async () => {
    const abort = new AbortController();
    const order: string[] = [];
    setTimeout(() => abort.abort(), 30);
    const started = Date.now();
    const record = await run(fake(async (ctx) => {
      ctx.onUndo('a', async () => void order.push('undo a'));
      return { target: 'x', method: 'test' };
    }), 60_000, abort.signal);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(order).toEqual(['undo a']);
    expect(record.undone).toBe(true);
  });
});
