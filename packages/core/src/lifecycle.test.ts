// Proves the lifecycle decisions under a manual clock: a key is destroyed exactly when its deletion
// window has passed (not a millisecond before), an enabled key with rotation on is rotated when its
// period is due, every command returned is one the key machine accepts, and applying what is due
// leaves nothing due (idempotence, so every region may run the same sweep).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, applyKeyCommand, createKeyRecord, dueLifecycleCommands, type KeyCommand, type KeyRecord } from './index.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);

/**
 * A manual clock as small as the core needs. The testkit has the shared one, but core's tests stay
 * free of our other packages (testkit itself depends on core).
 */
function manualClock(startMs: number): { nowMs(): number; advance(ms: number): void } {
  let now = startMs;
  return { nowMs: () => now, advance: (ms) => { now += ms; } };
}

const START = Date.UTC(2026, 0, 1);
const symmetricKey = (nowMs: number): KeyRecord =>
  createKeyRecord({ keyId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' }, nowMs);

/** Runs one lifecycle sweep the way the lifecycle manager does: apply every due command in order. */
function sweep(record: KeyRecord, nowMs: number): KeyRecord {
  return dueLifecycleCommands(record, nowMs).reduce((r, command) => applyKeyCommand(r, command, nowMs), record);
}

describe('dueLifecycleCommands', () => {
  it('destroys on the deletion date, not a millisecond earlier, and then has nothing left to do', () => {
    const clock = manualClock(START);
    const pending = applyKeyCommand(symmetricKey(clock.nowMs()), { type: 'scheduleDeletion', pendingWindowDays: 7 }, clock.nowMs());
    clock.advance(7 * DAY_MS - 1);
    expect(dueLifecycleCommands(pending, clock.nowMs())).toEqual([]);
    clock.advance(1);
    expect(dueLifecycleCommands(pending, clock.nowMs())).toEqual([{ type: 'destroy' }]);
    const destroyed = sweep(pending, clock.nowMs());
    expect(destroyed.keyState).toBe('Destroyed');
    expect(dueLifecycleCommands(destroyed, clock.nowMs())).toEqual([]);
  });

  it('property "destroy is due exactly when the window has passed"', () => {
    fc.assert(fc.property(
      fc.integer({ min: 7, max: 30 }), fc.integer({ min: 0, max: 10 * DAY_MS }), fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -40 * DAY_MS, max: 40 * DAY_MS })),
      (windowDays, scheduledAfterMs, probeOffsetMs) => {
        const clock = manualClock(START);
        clock.advance(scheduledAfterMs);
        const pending = applyKeyCommand(symmetricKey(START), { type: 'scheduleDeletion', pendingWindowDays: windowDays }, clock.nowMs());
        clock.advance(windowDays * DAY_MS + probeOffsetMs);
        const due = dueLifecycleCommands(pending, clock.nowMs());
        expect(due).toEqual(probeOffsetMs >= 0 ? [{ type: 'destroy' }] : []);
        expect(dueLifecycleCommands(sweep(pending, clock.nowMs()), clock.nowMs())).toEqual([]);
      },
    ), { seed: SEED, numRuns: 300 });
  });

  it('property "automatic rotation is due when the period has elapsed, and only for enabled keys"', () => {
    fc.assert(fc.property(
      fc.integer({ min: 90, max: 2560 }), fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -100 * DAY_MS, max: 3000 * DAY_MS })), fc.boolean(),
      (periodDays, probeOffsetMs, disabled) => {
        const clock = manualClock(START);
        let record = applyKeyCommand(symmetricKey(START), { type: 'enableRotation', rotationPeriodDays: periodDays }, clock.nowMs());
        if (disabled) record = applyKeyCommand(record, { type: 'disable' }, clock.nowMs());
        clock.advance(periodDays * DAY_MS + probeOffsetMs);
        const due = dueLifecycleCommands(record, clock.nowMs());
        expect(due).toEqual(probeOffsetMs >= 0 && !disabled ? [{ type: 'rotate', rotationType: 'AUTOMATIC' }] : []);
        const after = sweep(record, clock.nowMs());
        expect(after.currentVersion).toBe(record.currentVersion + due.length);
        if (due.length > 0) expect(after.nextRotationDateMs).toBe(clock.nowMs() + periodDays * DAY_MS);
        expect(dueLifecycleCommands(after, clock.nowMs())).toEqual([]);
      },
    ), { seed: SEED, numRuns: 300 });
  });

  it('property "sweeps are idempotent and always accepted": random operator commands interleaved with sweeps over years', () => {
    const operatorCommand: fc.Arbitrary<KeyCommand | null> = fc.constantFrom<KeyCommand | null>(
      null, null, null, { type: 'enable' }, { type: 'disable' }, { type: 'cancelDeletion' },
      { type: 'scheduleDeletion', pendingWindowDays: 7 }, { type: 'scheduleDeletion', pendingWindowDays: 30 },
      { type: 'enableRotation', rotationPeriodDays: 90 }, { type: 'enableRotation', rotationPeriodDays: 365 }, { type: 'disableRotation' },
    );
    const tick = fc.record({ advanceMs: fc.integer({ min: 0, max: 120 * DAY_MS }), command: operatorCommand });
    fc.assert(fc.property(fc.array(tick, { maxLength: 60, size: 'max' }), (ticks) => {
      const clock = manualClock(START);
      let record = symmetricKey(START);
      for (const { advanceMs, command } of ticks) {
        clock.advance(advanceMs);
        if (command) {
          try {
            record = applyKeyCommand(record, command, clock.nowMs());
          } catch {
            // Operator commands may be refused (wrong state); the sweep below is what is under test.
          }
        }
        // A sweep never throws: whatever it returns, the machine accepts.
        record = sweep(record, clock.nowMs());
        expect(dueLifecycleCommands(record, clock.nowMs())).toEqual([]);
        // Disabled or pending keys keep an overdue date; it is honoured once they are enabled again.
        if (record.keyState === 'Enabled' && record.rotationEnabled) expect(record.nextRotationDateMs).toBeGreaterThan(clock.nowMs());
        if (record.keyState === 'PendingDeletion') expect(record.deletionDateMs).toBeGreaterThan(clock.nowMs());
      }
    }), { seed: SEED, numRuns: 300 });
  });
});
