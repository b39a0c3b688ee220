// Proves the key state machine agrees with an independently written reference model on random
// command sequences (same accept/reject decisions and error codes, same resulting state), and that
// along the way versions only grow and stay listed, invariants hold, cancelled deletion comes back
// Disabled, each accepted command adds exactly one revision and no input is ever mutated.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS, KEY_SPECS, KEY_SPEC_INFO, LatchkeyError, applyKeyCommand, commandEffects, createKeyRecord,
  keyRecordViolations, type KeyCommand, type KeyRecord, type KeySpec,
} from './index.ts';
import { initialModel, modelStep, type ModelCommand, type ModelKey } from './key-machine-model.test-support.ts';

// Seeded so a failure reproduces; fast-check prints the seed and path of any counterexample.
const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);

type Labelled<T> = readonly [T, boolean];

const VALID_TAG_KEYS = [...Array.from({ length: 60 }, (_, i) => `team-${i}`), 'Cost Centre', 'a:b/c=d+e@f.g_h', 'k'.repeat(128)];
const INVALID_TAG_KEYS = ['', 'k'.repeat(129), 'aws:owner', 'AWS:Owner', 'bad!', 'tab\tkey'];
const TAG_VALUES: Labelled<string>[] = [['', true], ['prod', true], ['Zürich 2026', true], ['v'.repeat(256), true], ['v'.repeat(257), false], ['semi;colon', false], ['line\nbreak', false]];
const DESCRIPTIONS: Labelled<string>[] = [['', true], ['Payments key', true], ['d'.repeat(8192), true], ['d'.repeat(8193), false]];
const REGION_SETS: Labelled<readonly string[] | null>[] = [
  [null, true], [['us-east'], true], [['eu-west', 'us-east', 'eu-west'], true], [['r'.repeat(32)], true],
  [[], false], [['US-East'], false], [['r'.repeat(33)], false], [['1region'], false], [['ok', 'Bad'], false],
];

const tagKey: fc.Arbitrary<Labelled<string>> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...VALID_TAG_KEYS).map((k) => [k, true] as const) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_TAG_KEYS).map((k) => [k, false] as const) },
);
const tagValue = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TAG_VALUES.filter(([, v]) => v)) }, { weight: 1, arbitrary: fc.constantFrom(...TAG_VALUES) });

const tooManyTags: ModelCommand = { kind: 'tag', entries: VALID_TAG_KEYS.slice(0, 51).map((k) => [k, 'x'] as const), valid: false };

const tagCommand: fc.Arbitrary<ModelCommand> = fc.oneof(
  {
    weight: 15,
    arbitrary: fc.array(fc.tuple(tagKey, tagValue), { maxLength: 8 }).map((pairs): ModelCommand => {
      // A repeated key keeps its last value, as it would in the JSON object the command carries.
      const last = new Map(pairs.map(([key, value]) => [key[0], [key, value] as const]));
      return {
        kind: 'tag',
        entries: [...last.values()].map(([[k], [v]]) => [k, v] as const),
        valid: [...last.values()].every(([[, kOk], [, vOk]]) => kOk && vOk),
      };
    }),
  },
  { weight: 1, arbitrary: fc.constant(tooManyTags) },
);

const untagCommand = fc.array(tagKey, { maxLength: 4 }).map((keys): ModelCommand => ({
  kind: 'untag', keys: keys.map(([k]) => k), valid: keys.every(([, valid]) => valid),
}));

const rotateArb = fc.constantFrom('AUTOMATIC', 'ON_DEMAND', 'ON_DEMAND').map((rotationType): ModelCommand => ({ kind: 'rotate', rotationType }));

/** `rotateWeight` tilts a sequence towards rotations, so that some runs reach the on-demand limit. */
const commandArb = (rotateWeight: number): fc.Arbitrary<ModelCommand> => fc.oneof(
  { weight: 2, arbitrary: fc.constant<ModelCommand>({ kind: 'enable' }) },
  { weight: 1, arbitrary: fc.constant<ModelCommand>({ kind: 'disable' }) },
  { weight: 1, arbitrary: fc.constantFrom(...DESCRIPTIONS).map(([description, valid]): ModelCommand => ({ kind: 'updateDescription', description, valid })) },
  { weight: 2, arbitrary: tagCommand },
  { weight: 1, arbitrary: untagCommand },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: 5, max: 32 }), fc.constantFrom(7.5, Number.NaN, -7)).map((days): ModelCommand => ({ kind: 'scheduleDeletion', days })) },
  { weight: 1, arbitrary: fc.constant<ModelCommand>({ kind: 'cancelDeletion' }) },
  { weight: 2, arbitrary: fc.constant<ModelCommand>({ kind: 'destroy' }) },
  { weight: rotateWeight, arbitrary: rotateArb },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(89, 90, 365, 2560, 2561, 90.5), fc.integer({ min: 80, max: 3000 })).map((days): ModelCommand => ({ kind: 'enableRotation', days })) },
  { weight: 1, arbitrary: fc.constant<ModelCommand>({ kind: 'disableRotation' }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -1, max: 14 }), fc.constant(1.5)).map((version): ModelCommand => ({ kind: 'setMinDecryptionVersion', version })) },
  { weight: 1, arbitrary: fc.constantFrom(...REGION_SETS).map(([regions, valid]): ModelCommand => ({ kind: 'setRegions', regions, valid })) },
);

const stepArb = (rotateWeight: number) => fc.record({
  command: commandArb(rotateWeight),
  // Mostly small steps, sometimes weeks, so that deletion windows and rotation periods both pass.
  dtMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * DAY_MS }), fc.integer({ min: 0, max: 40 * DAY_MS }), fc.integer({ min: 0, max: 400 * DAY_MS })),
});

const keySpecArb: fc.Arbitrary<KeySpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<KeySpec>('SYMMETRIC_DEFAULT') },
  { weight: 1, arbitrary: fc.constantFrom(...KEY_SPECS) },
);

const scenarioArb = fc.record({
  keySpec: keySpecArb,
  usageIndex: fc.nat(),
  startMs: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
  initialTags: fc.uniqueArray(fc.constantFrom(...VALID_TAG_KEYS.slice(0, 10)), { maxLength: 5 }),
  // size 'max' lets lengths spread over the whole range; the default keeps arrays near ten items.
  steps: fc.oneof(fc.array(stepArb(4), { maxLength: 80, size: 'max' }), fc.array(stepArb(40), { maxLength: 60, size: 'max' })),
});

function toKeyCommand(cmd: ModelCommand): KeyCommand {
  switch (cmd.kind) {
    case 'updateDescription': return { type: 'updateDescription', description: cmd.description };
    case 'tag': return { type: 'tag', tags: Object.fromEntries(cmd.entries) };
    case 'untag': return { type: 'untag', tagKeys: cmd.keys };
    case 'scheduleDeletion': return { type: 'scheduleDeletion', pendingWindowDays: cmd.days };
    case 'rotate': return { type: 'rotate', rotationType: cmd.rotationType };
    case 'enableRotation': return { type: 'enableRotation', rotationPeriodDays: cmd.days };
    case 'setMinDecryptionVersion': return { type: 'setMinDecryptionVersion', minDecryptionVersion: cmd.version };
    case 'setRegions': return { type: 'setRegions', regions: cmd.regions };
    default: return { type: cmd.kind };
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const sortedTags = (tags: Iterable<readonly [string, string]>): [string, string][] => [...tags].map(([k, v]): [string, string] => [k, v]).sort(([a], [b]) => (a < b ? -1 : 1));

function projectRecord(r: KeyRecord): object {
  return {
    state: r.keyState, versionCount: r.currentVersion, minDecryption: r.minDecryptionVersion, rotationOn: r.rotationEnabled,
    rotationPeriodDays: r.rotationPeriodDays, nextRotationMs: r.nextRotationDateMs, deletionMs: r.deletionDateMs,
    windowDays: r.pendingWindowDays, tags: sortedTags(Object.entries(r.tags)), description: r.description,
    regions: r.regions, revision: r.revision, onDemandCount: r.versions.filter((v) => v.rotationType === 'ON_DEMAND').length,
  };
}

function projectModel(m: ModelKey): object {
  const { spec: _spec, tags, ...rest } = m;
  return { ...rest, tags: sortedTags(tags) };
}

/** Outcomes seen across the whole run, so that a generator drift that stops exercising a rule is noticed. */
const seen = new Set<string>();

function tryApply(record: KeyRecord, command: KeyCommand, nowMs: number): KeyRecord | LatchkeyError {
  try {
    return applyKeyCommand(record, command, nowMs);
  } catch (err) {
    // Anything but a LatchkeyError (a TypeError from mutating frozen input, say) fails the property.
    if (err instanceof LatchkeyError) return err;
    throw err;
  }
}

/** The per-step checks that do not need the model: growth, invariants, revision, timestamps, effects. */
function checkAcceptedStep(before: KeyRecord, after: KeyRecord, cmd: ModelCommand, nowMs: number): void {
  expect(keyRecordViolations(after)).toEqual([]);
  expect(after.currentVersion).toBeGreaterThanOrEqual(before.currentVersion);
  expect(after.versions.slice(0, before.versions.length)).toEqual(before.versions);
  expect(after.revision).toBe(before.revision + 1);
  expect(after.updatedDateMs).toBe(nowMs);
  expect([after.keyId, after.keySpec, after.keyUsage, after.creationDateMs]).toEqual([before.keyId, before.keySpec, before.keyUsage, before.creationDateMs]);
  if (cmd.kind === 'cancelDeletion') expect(after.keyState).toBe('Disabled');
  const effects = commandEffects(before, after);
  expect(effects.newVersion).toBe(cmd.kind === 'rotate' ? before.currentVersion + 1 : null);
  expect(effects.eraseMaterial).toBe(cmd.kind === 'destroy');
  if (cmd.kind === 'rotate') expect(after.versions.at(-1)).toEqual({ keyVersion: after.currentVersion, creationDateMs: nowMs, rotationType: cmd.rotationType });
}

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function runScenario(s: Scenario): void {
  const usages = KEY_SPEC_INFO[s.keySpec].usages;
  const keyUsage = usages[s.usageIndex % usages.length]!;
  const initialTags = s.initialTags.map((k) => [k, 'init'] as const);
  let record = deepFreeze(createKeyRecord({ keyId: '0b9d3f7e-1c2a-4e5b-8f60-7a8b9c0d1e2f', keySpec: s.keySpec, keyUsage, tags: Object.fromEntries(initialTags) }, s.startMs));
  let model = initialModel(s.keySpec, new Map(initialTags));
  expect(projectRecord(record)).toEqual(projectModel(model));
  let nowMs = s.startMs;
  for (const { command, dtMs } of s.steps) {
    nowMs += dtMs;
    const keyCommand = deepFreeze(toKeyCommand(command));
    const snapshot = structuredClone(record);
    const real = tryApply(record, keyCommand, nowMs);
    const expected = modelStep(model, command, nowMs);
    expect(record).toEqual(snapshot);
    const outcome = real instanceof LatchkeyError ? real.code : 'ok';
    seen.add(`${command.kind}:${outcome}`);
    expect({ command: command.kind, outcome }).toEqual({ command: command.kind, outcome: expected.ok ? 'ok' : expected.code });
    if (real instanceof LatchkeyError || !expected.ok) continue;
    checkAcceptedStep(record, real, command, nowMs);
    expect(projectRecord(real)).toEqual(projectModel(expected.key));
    record = deepFreeze(real);
    model = expected.key;
  }
}

describe('key state machine against the reference model', () => {
  it('property "machine refines model": same verdicts, codes and states; versions monotonic and listed; invariants hold; inputs unmutated', () => {
    fc.assert(fc.property(scenarioArb, runScenario), { seed: SEED, numRuns: 400 });
    // Guard against a vacuous run: the rules that matter most were exercised in both directions.
    for (const outcome of [
      'destroy:ok', 'destroy:KMSInvalidStateException', 'cancelDeletion:ok', 'rotate:ok', 'rotate:LimitExceededException',
      'rotate:UnsupportedOperationException', 'rotate:DisabledException', 'enable:NotFoundException', 'tag:TagException',
      'scheduleDeletion:ValidationException', 'setMinDecryptionVersion:ok', 'enableRotation:ok',
    ]) {
      expect(seen, `never saw ${outcome}`).toContain(outcome);
    }
  });
});

describe('key state machine examples', () => {
  const DAY = DAY_MS;
  const base = (): KeyRecord => createKeyRecord({ keyId: 'k-1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' }, 0);

  it('destroys a key once its window has passed and keeps the tombstone date', () => {
    const pending = applyKeyCommand(base(), { type: 'scheduleDeletion', pendingWindowDays: 7 }, 0);
    expect(() => applyKeyCommand(pending, { type: 'destroy' }, 7 * DAY - 1)).toThrow(/not due/);
    const destroyed = applyKeyCommand(pending, { type: 'destroy' }, 7 * DAY);
    expect(destroyed).toMatchObject({ keyState: 'Destroyed', deletionDateMs: 7 * DAY, rotationEnabled: false });
  });

  it('answers NotFound for every command on a destroyed key, whatever its spec', () => {
    const ec = createKeyRecord({ keyId: 'k-2', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }, 0);
    const pending = applyKeyCommand(ec, { type: 'scheduleDeletion', pendingWindowDays: 7 }, 0);
    const destroyed = applyKeyCommand(pending, { type: 'destroy' }, 8 * DAY);
    expect(() => applyKeyCommand(destroyed, { type: 'rotate', rotationType: 'ON_DEMAND' }, 9 * DAY)).toThrow(expect.objectContaining({ code: 'NotFoundException' }));
  });

  it('allows ten on-demand rotations and refuses the eleventh, while automatic ones continue', () => {
    let record = base();
    for (let i = 0; i < 10; i++) record = applyKeyCommand(record, { type: 'rotate', rotationType: 'ON_DEMAND' }, i);
    expect(() => applyKeyCommand(record, { type: 'rotate', rotationType: 'ON_DEMAND' }, 11)).toThrow(expect.objectContaining({ code: 'LimitExceededException' }));
    expect(applyKeyCommand(record, { type: 'rotate', rotationType: 'AUTOMATIC' }, 11).currentVersion).toBe(12);
  });

  it('rejects unknown command types and rotation types as bad input', () => {
    const bogus = { type: 'explode' } as unknown as KeyCommand;
    expect(() => applyKeyCommand(base(), bogus, 0)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    const initial = { type: 'rotate', rotationType: 'INITIAL' } as unknown as KeyCommand;
    expect(() => applyKeyCommand(base(), initial, 0)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });

  it('refuses key specs that are only prototype properties', () => {
    const input = { keyId: 'k-3', keySpec: 'toString' as KeySpec, keyUsage: 'ENCRYPT_DECRYPT' as const };
    expect(() => createKeyRecord(input, 0)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });

  it('property "bad arguments never crash": wrong-typed command fields give a LatchkeyError', () => {
    const types = ['updateDescription', 'tag', 'untag', 'scheduleDeletion', 'enableRotation', 'setMinDecryptionVersion', 'setRegions'] as const;
    const fields = { updateDescription: 'description', tag: 'tags', untag: 'tagKeys', scheduleDeletion: 'pendingWindowDays', enableRotation: 'rotationPeriodDays', setMinDecryptionVersion: 'minDecryptionVersion', setRegions: 'regions' } as const;
    fc.assert(fc.property(fc.constantFrom(...types), fc.jsonValue(), (type, value) => {
      const command = { type, [fields[type]]: value } as unknown as KeyCommand;
      try {
        applyKeyCommand(base(), command, 0);
      } catch (err) {
        expect(err).toBeInstanceOf(LatchkeyError);
      }
    }), { seed: SEED, numRuns: 500 });
  });
});
