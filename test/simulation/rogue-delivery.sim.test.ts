// Rogue deliveries and confirmed versions. nats-server 2.9.10 was seen handing a region cut off from
// the stream's quorum changes the stream never kept; the region applied them and encrypted under a
// version no other region ever got. The node's rules (core: `confirmationVerdict`, `servingVersion`;
// node: version-confirmer.ts, change-applier.ts `repair`, control-plane.ts), modelled in
// sim-confirmer.ts: new output only under a version a quorum read shows with the same secret, it and
// every held version below it down to the confirmed one; repair of unconfirmed versions from such
// reads; a look-up of a key, or a version, the data plane finds missing, repairing a change the
// region passed over; a key command only on a confirmed state of the key; writes answered only once
// confirmed. Proves, with rogue rotations in the schedules, that after heal (and a read-back of every
// ciphertext in every region) every acknowledged ciphertext decrypts in every allowed region, no
// acknowledged version is lost, and regions converge: for every run that meets none of the
// situations the rules do not cover (rogue-gaps.ts; each is pinned down by a `known gap` scenario
// below). The gaps an earlier model of the node had are kept as regression scenarios.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFailures } from '../checkers/index.ts';
import { createKey, decrypt, encrypt, keyCommand } from './client-ops.ts';
import { CoverageTally, ROGUE_COVERAGE_EVENTS } from './coverage.ts';
import { assertSimulation } from './run-property.ts';
import { knownRogueGaps } from './rogue-gaps.ts';
import { describeSchedule, scheduleArbitrary } from './schedule.ts';
import { createdKey, currentVersionIn, expectClean, healAndReadBack, lastEntry, regionsOf, runAndHeal, scenarioWorld } from './scenario-helpers.ts';
import { verdictOf } from './sim-verdict.ts';
import type { SimWorld } from './sim-world.ts';

const TEST_FILE = 'test/simulation/rogue-delivery.sim.test.ts';
const rotate = { name: 'rotate' as const, regionArg: 'us-east', readFrom: null, syncFirst: false };

describe('rogue deliveries: property', () => {
  it('with rogue deliveries to cut-off regions, then heal: every acknowledged ciphertext decrypts everywhere, no acknowledged version is lost, regions converge', () => {
    const coverage = new CoverageTally(ROGUE_COVERAGE_EVENTS);
    // LATCHKEY_ROGUE_GAPS=judge judges the runs that meet a known gap too (most of them fail).
    const judgeGaps = process.env.LATCHKEY_ROGUE_GAPS === 'judge';
    assertSimulation(
      { invariant: 'with rogue deliveries', testFile: TEST_FILE, numRuns: 600, describe: describeSchedule },
      fc.property(scheduleArbitrary(120, true), (schedule) => {
        const world = runAndHeal(schedule);
        if (!judgeGaps) fc.pre(knownRogueGaps(world).length === 0);
        coverage.note(world);
        expectClean(world);
      }),
    );
    if (!process.env.LATCHKEY_PATH) expect(coverage.missing(), `runs per situation: ${coverage.describe()}`).toEqual([]);
  });
});

function cutOff(world: SimWorld, region: string): void {
  world.network.cut(region);
  world.refreshQuorum();
}

function healed(world: SimWorld, region: string): void {
  world.network.heal(region);
  world.refreshQuorum();
}

function lastCiphertextVersion(world: SimWorld): number {
  return world.ciphertexts.at(-1)!.keyVersion;
}

describe('rogue deliveries: targeted scenarios', () => {
  it('a cut-off region handed a rotation the stream never keeps encrypts under its confirmed version; after the heal the stream gives that sequence to a real rotation, the region repairs from it, and every ciphertext decrypts everywhere', () => {
    const world = scenarioWorld(3);
    const [a, b] = regionsOf(world);
    const keyId = createdKey(world, b, null);
    world.healAndQuiesce();
    cutOff(world, a);
    world.rogueDelivery(a, 0);
    expect(world.region(a).rogueChanges).toEqual([{ seq: 2, keyId }]);
    expect(currentVersionIn(world, a, keyId)).toBe(2);
    encrypt(world, a, keyId);
    expect(lastEntry(world).outcome).toBe('ok');
    expect(lastCiphertextVersion(world), 'the confirmed version, not the rogue one').toBe(1);

    healed(world, a);
    keyCommand(world, b, keyId, rotate);
    const rotation = lastEntry(world);
    expect(rotation).toMatchObject({ outcome: 'ok', currentVersion: 2 });
    expect(world.stream.messageAt(2)?.msgId, 'the stream gives the rogue sequence to the real rotation').toBe(rotation.changeId);
    encrypt(world, b, keyId);
    expect(lastCiphertextVersion(world)).toBe(2);
    // Seen divergent once: not repaired yet, and the region still serves its confirmed version.
    world.confirm(a);
    encrypt(world, a, keyId);
    expect(lastCiphertextVersion(world)).toBe(1);

    world.healAndQuiesce();
    world.observe();
    expect(world.region(a).confirmStats.repairs).toBe(1);
    for (const region of world.config.regions) {
      encrypt(world, region, keyId);
      expect(lastCiphertextVersion(world), `${region} serves the real v2`).toBe(2);
    }
    expectClean(world);
  });

  it('a write acknowledged just before the stream loses its leader stays indeterminate until its version is confirmed; meanwhile the region serves the confirmed version, or none for a new key', () => {
    const world = scenarioWorld(3);
    const [a] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    world.healAndQuiesce();
    world.network.armPublishFault(a, 'election-after-ack');
    keyCommand(world, a, keyId, rotate);
    expect(lastEntry(world)).toMatchObject({ outcome: 'indeterminate', code: 'IndeterminateException' });
    expect(currentVersionIn(world, a, keyId)).toBe(2);
    encrypt(world, a, keyId);
    expect(lastCiphertextVersion(world)).toBe(1);

    world.healAndQuiesce();
    encrypt(world, a, keyId);
    expect(lastCiphertextVersion(world)).toBe(2);

    world.network.armPublishFault(a, 'election-after-ack');
    createKey(world, a, null);
    const created = lastEntry(world);
    expect(created).toMatchObject({ outcome: 'indeterminate', code: 'IndeterminateException' });
    encrypt(world, a, created.keyId!);
    expect(lastEntry(world)).toMatchObject({ outcome: 'fail', code: 'KeyUnavailableException' });
    world.healAndQuiesce();
    encrypt(world, a, created.keyId!);
    expect(lastEntry(world).outcome).toBe('ok');
    expectClean(world);
  });
});


/**
 * The first steps of most scenarios below: a key made in b and replicated everywhere, then a
 * rotation of it that the stream never keeps handed to a, cut off meanwhile, at sequence 2; a's
 * link is healed again, its cursor past sequence 2, which the stream gives to the next change.
 */
function rogueRotationInA(world: SimWorld): { a: string; b: string; keyId: string } {
  const [a, b] = regionsOf(world);
  const keyId = createdKey(world, b, null);
  world.healAndQuiesce();
  cutOff(world, a);
  world.rogueDelivery(a, 0);
  expect(world.region(a).rogueChanges).toEqual([{ seq: 2, keyId }]);
  healed(world, a);
  return { a, b, keyId };
}

function decryptLast(world: SimWorld, region: string): void {
  decrypt(world, region, world.ciphertexts.length - 1);
}

describe('rogue deliveries: gaps of an earlier rule, now closed', () => {
  it('closed (moved): two real rotations overtake a rogue one; the region does not confirm v3 while its v2 is not the stream\'s, serves v1 meanwhile, then repairs v2', () => {
    const world = scenarioWorld(3);
    const { a, b, keyId } = rogueRotationInA(world);
    keyCommand(world, b, keyId, rotate);
    encrypt(world, b, keyId);
    expect(lastCiphertextVersion(world)).toBe(2);
    keyCommand(world, b, keyId, rotate);
    world.replicate(a);
    expect(world.region(a).overtakenRogue).toHaveLength(1);
    expect(currentVersionIn(world, a, keyId)).toBe(3);
    expect(world.region(a).store.confirmed.get(keyId), 'v3 has the stream\'s secret, v2 below it does not').toBe(1);
    encrypt(world, a, keyId);
    expect(lastCiphertextVersion(world)).toBe(1);

    world.healAndQuiesce();
    world.observe();
    expect(world.region(a).confirmStats.repairs).toBe(1);
    expect(world.region(a).store.confirmed.get(keyId)).toBe(3);
    expect(world.region(a).views()[0]!.materialIds).toEqual(world.region(b).views()[0]!.materialIds);
    expect(knownRogueGaps(world)).toEqual([]);
    expectClean(world);
  });

  it('closed (published): a key command on a rogue state, after the stream gave the rogue sequence to the same key, is refused with KeyUnavailableException and nothing is written; once repaired it goes through', () => {
    const world = scenarioWorld(3);
    const { a, b, keyId } = rogueRotationInA(world);
    keyCommand(world, b, keyId, rotate);
    expect(world.stream.messageAt(2)?.msgId, 'compare-and-set on the subject would pass from a').toBe(lastEntry(world).changeId);
    keyCommand(world, a, keyId, { ...rotate, name: 'disable' });
    const refused = lastEntry(world);
    expect(refused).toMatchObject({ outcome: 'fail', code: 'KeyUnavailableException' });
    expect(world.publishLog.filter((p) => p.msgId === refused.changeId)).toEqual([]);
    expect(world.region(a).confirmStats.rogueWritesStopped).toBe(1);

    world.healAndQuiesce();
    expect(world.region(a).confirmStats.repairs).toBe(1);
    keyCommand(world, a, keyId, { ...rotate, name: 'disable' });
    expect(lastEntry(world)).toMatchObject({ outcome: 'ok', revision: 3 });
    world.healAndQuiesce();
    world.observe();
    expectClean(world);
  });

  it('closed (missed, look-up): the stream gives the rogue sequence to the create of another key; the region, past it, learns the key from the first ciphertext under it', () => {
    const world = scenarioWorld(3);
    const { a, b } = rogueRotationInA(world);
    const other = createdKey(world, b, null);
    expect(world.stream.messageAt(2)?.envelope.change).toMatchObject({ record: { keyId: other } });
    encrypt(world, b, other);
    world.healAndQuiesce();
    expect(world.region(a).store.keys.has(other)).toBe(false);
    decryptLast(world, a);
    expect(lastEntry(world)).toMatchObject({ outcome: 'fail', code: 'KeyUnavailableException' });
    world.confirm(a);
    expect(world.region(a).confirmStats.lookUpRepairs).toBe(1);
    decryptLast(world, a);
    expect(lastEntry(world).outcome).toBe('ok');
    world.healAndQuiesce();
    world.observe();
    expect(knownRogueGaps(world)).toEqual([]);
    expectClean(world);
  });

  it('closed (missed, look-up): the region repairs its rogue rotation before the stream gives that sequence to a real rotation of the same key; a ciphertext under the real v2 makes it look the key up and apply the rotation it passed over', () => {
    const world = scenarioWorld(3);
    const { a, b, keyId } = rogueRotationInA(world);
    world.healAndQuiesce();
    expect(world.region(a).confirmStats.repairs).toBe(1);
    keyCommand(world, b, keyId, rotate);
    expect(world.stream.messageAt(2)?.msgId).toBe(lastEntry(world).changeId);
    encrypt(world, b, keyId);
    world.healAndQuiesce();
    expect(currentVersionIn(world, a, keyId)).toBe(1);
    decryptLast(world, a);
    expect(lastEntry(world)).toMatchObject({ outcome: 'fail', code: 'KeyUnavailableException' });
    world.healAndQuiesce();
    expect(world.region(a).confirmStats.lookUpRepairs).toBe(1);
    expect(currentVersionIn(world, a, keyId)).toBe(2);
    world.observe();
    expectClean(world);
  });
});

/**
 * A situation the rules do not cover (rogue-gaps.ts): the run meets it and the checkers report
 * what it costs. Once the node covers it, this fails: make the scenario expect a clean run.
 */
function expectKnownGap(world: SimWorld, gap: RegExp, cost: RegExp): void {
  expect(knownRogueGaps(world).join('\n')).toMatch(gap);
  expect(describeFailures(verdictOf(world).results)).toMatch(cost);
}

describe('rogue deliveries: known gaps of the rules', () => {
  it('known gap (missed): the stream gives the rogue sequence to the create of another key, and no client names that key in the region; a call naming it there makes it look the key up', () => {
    const world = scenarioWorld(3);
    const { a, b } = rogueRotationInA(world);
    const other = createdKey(world, b, null);
    healAndReadBack(world);
    expectKnownGap(world, /missed: us-east took seq 2 .*a key it never learnt of/, /no-lost-versions[\s\S]*us-east is allowed but has no record of the key[\s\S]*convergence/);

    encrypt(world, a, other);
    expect(lastEntry(world)).toMatchObject({ outcome: 'fail', code: 'NotFoundException' });
    healAndReadBack(world);
    expect(knownRogueGaps(world)).toEqual([]);
    expectClean(world);
  });

  it('known gap (missed): the region repairs before the stream gives the rogue sequence to a rotation of the same key, and no client names v2 there; the next change on the key brings it', () => {
    const world = scenarioWorld(3);
    const { a, b, keyId } = rogueRotationInA(world);
    world.healAndQuiesce();
    keyCommand(world, b, keyId, rotate);
    healAndReadBack(world);
    expect(currentVersionIn(world, a, keyId)).toBe(1);
    expectKnownGap(world, /missed: us-east took seq 2 .*v2, above its v1/, /no-lost-versions[\s\S]*v2: region us-east is allowed but holds no material/);

    keyCommand(world, b, keyId, { ...rotate, name: 'enableRotation' });
    healAndReadBack(world);
    expect(currentVersionIn(world, a, keyId)).toBe(2);
    expectClean(world);
  });

  it('known gap (missed): the stream gives the rogue sequence to a change that adds no version (a disable of another key); the region keeps decrypting under the key as if it were enabled', () => {
    const world = scenarioWorld(3);
    const [a, b] = regionsOf(world);
    const keyId = createdKey(world, b, null);
    const other = createdKey(world, b, null);
    encrypt(world, b, other);
    world.healAndQuiesce();
    cutOff(world, a);
    world.rogueDelivery(a, 0);
    expect(world.region(a).rogueChanges).toEqual([{ seq: 3, keyId }]);
    healed(world, a);
    keyCommand(world, b, other, { ...rotate, name: 'disable' });
    expect(world.stream.messageAt(3)?.msgId).toBe(lastEntry(world).changeId);
    healAndReadBack(world);
    expectKnownGap(
      world, /missed: us-east took seq 3 .*revision 2 \(Disabled, v1\), no version it lacks/,
      /decryptable-everywhere[\s\S]*in us-east: answered ok, expected DisabledException[\s\S]*convergence/,
    );
  });

  it('known gap (stranded): the stream gives the rogue sequence to a disable of the same key and a later change reaches the region before its repair; the rogue v2 stays above the confirmed v1 until a real rotation to v2', () => {
    const world = scenarioWorld(3);
    const { a, b, keyId } = rogueRotationInA(world);
    keyCommand(world, b, keyId, { ...rotate, name: 'disable' });
    keyCommand(world, b, keyId, { ...rotate, name: 'enable' });
    healAndReadBack(world);
    expect(currentVersionIn(world, a, keyId)).toBe(1);
    expect(world.region(a).views()[0]!.heldVersions).toEqual([1, 2]);
    expectKnownGap(world, /stranded: us-east holds a rogue secret for .* v2, above its current version v1/, /convergence[\s\S]*regions disagree/);

    keyCommand(world, b, keyId, rotate);
    healAndReadBack(world);
    expect(world.region(a).confirmStats.repairs).toBe(1);
    expect(knownRogueGaps(world)).toEqual([]);
    expectClean(world);
  });
});
