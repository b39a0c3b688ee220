// Proves, on a deterministic simulation of 3-5 regions running the pure replication core against a
// simulated JetStream stream (CAS per subject, msg-id de-duplication, bounded history, quorum) and
// a faulty network, that the design's replication invariants hold: after ANY schedule of client
// calls and faults, once faults heal and replication quiesces, no acknowledged version is lost,
// versions never go backwards in a region, pinning holds on the stream and in every store, every
// ciphertext decrypts wherever its key is allowed, all regions converge, and write outcomes tell
// the truth. Regions issue output only under versions the stream's quorum was seen holding (that
// rule against rogue deliveries: rogue-delivery.sim.test.ts). Targeted scenarios pin down the
// situations the design names explicitly.
// A failure prints the invariant, the seed and the shrunk schedule; LATCHKEY_SEED=<n> picks the seed.
import { applyKeyCommand, servingVersion, type KeyRecord } from '@latchkey/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, keyCommand, sweep } from './client-ops.ts';
import { CoverageTally } from './coverage.ts';
import { assertSimulation } from './run-property.ts';
import { describeSchedule, newWorld, runSteps, scheduleArbitrary } from './schedule.ts';
import { createdKey, currentVersionIn, expectClean, lastEntry, messagesWithId, regionsOf, runAndHeal, scenarioWorld } from './scenario-helpers.ts';
import type { SimWorld } from './sim-world.ts';

const TEST_FILE = 'test/simulation/replication.sim.test.ts';
const MAX_STEPS = 120;

describe('replication simulation: properties', () => {
  it('after any schedule of calls and faults, then heal: no lost versions, monotonic versions, pinning, decryptable everywhere, convergence, truthful outcomes', () => {
    const coverage = new CoverageTally();
    assertSimulation(
      { invariant: 'after any schedule', testFile: TEST_FILE, numRuns: 800, describe: describeSchedule },
      fc.property(scheduleArbitrary(MAX_STEPS), (schedule) => {
        const world = runAndHeal(schedule);
        coverage.note(world);
        expectClean(world);
      }),
    );
    // A replay of one shrunk case need not meet every situation; a full run must.
    if (!process.env.LATCHKEY_PATH) expect(coverage.missing(), `runs per situation: ${coverage.describe()}`).toEqual([]);
  });

  it('any region that loses its disk rebuilds from the bounded stream history alone, and all invariants still hold', () => {
    const arbitrary = fc.tuple(scheduleArbitrary(MAX_STEPS), fc.nat({ max: 4 }));
    assertSimulation(
      {
        invariant: 'rebuilds from the bounded stream history',
        testFile: TEST_FILE,
        numRuns: 250,
        describe: ([schedule, wiped]) => `${describeSchedule(schedule)}\nthen wipe region #${wiped}`,
      },
      fc.property(arbitrary, ([schedule, wiped]) => {
        const world = runAndHeal(schedule);
        const region = world.config.regions[wiped % world.config.regions.length]!;
        world.step += 1;
        world.wipe(region);
        world.healAndQuiesce();
        world.observe();
        expectClean(world, new Map([[region, world.step]]));
      }),
    );
  });

  it('the data plane keeps working alone: with every link cut and no quorum, a region serves every key it holds under its confirmed version', () => {
    assertSimulation(
      { invariant: 'data plane keeps working alone', testFile: TEST_FILE, numRuns: 200, describe: describeSchedule },
      fc.property(scheduleArbitrary(MAX_STEPS), (schedule) => {
        const world = newWorld(schedule);
        runSteps(world, schedule.steps);
        for (const region of world.config.regions) world.network.isolate(region);
        world.refreshQuorum();
        expect(world.stream.available).toBe(false);
        for (const region of world.regions.values()) expectServesWhatItHolds(world, region.name);
      }),
    );
  });
});

/**
 * Every key the region's own store says it may use must encrypt under its serving version (or
 * answer KeyUnavailable when it has none), and every ciphertext under a held version must decrypt.
 */
function expectServesWhatItHolds(world: SimWorld, name: string): void {
  const region = world.region(name);
  for (const view of region.views()) {
    const usable = view.keyState === 'Enabled' && view.allowedRegions.includes(name);
    if (!usable) continue;
    const serving = servingVersion(view, region.store.confirmed.get(view.keyId) ?? 0);
    const encrypt = (): number => region.encrypt(view.keyId, 'alone', `alone-${name}-${view.keyId}`, world.nowMs).keyVersion;
    if (serving === null) expect(encrypt, `${name} has no confirmed version of ${view.keyId}`).toThrow(/not yet confirmed/);
    else expect(encrypt(), `${name} encrypts under ${view.keyId}`).toBe(serving);
    const decryptable = world.ciphertexts.filter((c) => c.keyId === view.keyId && view.heldVersions.includes(c.keyVersion) && c.keyVersion >= view.minDecryptionVersion);
    for (const ciphertext of decryptable) expect(region.decrypt(ciphertext, world.nowMs), `${name} decrypts ${ciphertext.ciphertextId}`).toBe(ciphertext.plaintext);
  }
}

describe('replication simulation: targeted scenarios', () => {
  const rotate = { name: 'rotate' as const, regionArg: 'us-east', readFrom: null, syncFirst: false };

  it('an isolated region keeps serving encrypt and decrypt for the keys it holds, and refuses writes with a typed unavailable error', () => {
    const world = scenarioWorld(3);
    const [a, b, c] = regionsOf(world);
    const keyId = createdKey(world, a, [a, b]);
    world.healAndQuiesce();
    encrypt(world, b, keyId);
    for (const region of [a, b, c]) world.network.isolate(region);
    world.refreshQuorum();
    expect(world.stream.available).toBe(false);

    encrypt(world, a, keyId);
    expect(lastEntry(world).outcome).toBe('ok');
    decrypt(world, a, 0);
    expect(lastEntry(world)).toMatchObject({ outcome: 'ok', ciphertextId: world.ciphertexts[0]!.ciphertextId });
    keyCommand(world, a, keyId, rotate);
    expect(lastEntry(world)).toMatchObject({ outcome: 'fail', code: 'DependencyTimeoutException' });
    // A region outside the policy answers with the policy, isolated or not.
    expect(() => world.region(c).encrypt(keyId, 'x', 'ct-x', world.nowMs)).toThrow(/pinned to eu-west, us-east/);
  });

  it('concurrent conditional writes from two regions: exactly one wins, the loser gets a typed ConflictException and nothing of it lands', () => {
    const world = scenarioWorld(3);
    const [a, b] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    world.healAndQuiesce();
    // Both clients read revision 1, each in its own region, then both rotate on that condition.
    keyCommand(world, a, keyId, { ...rotate, readFrom: a });
    const winner = lastEntry(world);
    keyCommand(world, b, keyId, { ...rotate, readFrom: b });
    const loser = lastEntry(world);

    expect(winner).toMatchObject({ outcome: 'ok', currentVersion: 2 });
    expect(loser).toMatchObject({ outcome: 'fail', code: 'ConflictException' });
    expect(world.publishLog.filter((p) => p.msgId === loser.changeId).map((p) => p.reply)).toEqual(['conflict']);
    expect(messagesWithId(world, loser.changeId!)).toHaveLength(0);
    world.healAndQuiesce();
    for (const region of world.config.regions) expect(currentVersionIn(world, region, keyId)).toBe(2);
    expectClean(world);
  });

  it('concurrent unconditional rotations from two regions both land, as two distinct versions, with no overwrite', () => {
    const world = scenarioWorld(3);
    const [a, b] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    world.healAndQuiesce();
    keyCommand(world, a, keyId, rotate);
    keyCommand(world, b, keyId, rotate);
    expect(world.history.slice(-2).map((e) => [e.outcome, e.currentVersion])).toEqual([['ok', 2], ['ok', 3]]);
    expect(world.publishLog.filter((p) => p.region === b).map((p) => p.reply)).toEqual(['conflict', 'ack']);
    world.healAndQuiesce();
    expectClean(world);
  });

  it('a publish whose reply is lost is resent with the same msg-id and comes back as a duplicate: one version, not two', () => {
    const world = scenarioWorld(3);
    const [a] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    world.network.armPublishFault(a, 'lose-reply');
    keyCommand(world, a, keyId, rotate);
    const entry = lastEntry(world);
    expect(entry).toMatchObject({ outcome: 'ok', currentVersion: 2 });
    expect(world.publishLog.filter((p) => p.msgId === entry.changeId).map((p) => p.reply)).toEqual(['timeout', 'duplicate']);
    expect(messagesWithId(world, entry.changeId!)).toHaveLength(1);
    world.healAndQuiesce();
    expectClean(world);
  });

  it('an indeterminate rotation retried by the client in another region with the same id does not create a second version', () => {
    const world = scenarioWorld(3);
    const [a, b] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    world.healAndQuiesce();
    world.network.armPublishFault(a, 'lose-reply-then-cut');
    keyCommand(world, a, keyId, rotate);
    const first = lastEntry(world);
    expect(first).toMatchObject({ outcome: 'indeterminate', code: 'IndeterminateException' });

    world.retryable[0]!.retry(world, b);
    const retry = lastEntry(world);
    expect(retry).toMatchObject({ outcome: 'ok', changeId: first.changeId, currentVersion: 2, retryOf: first.index });
    // b had not seen the landed original, so its resend carried a stale expectation: de-duplication answered first.
    expect(world.publishLog.filter((p) => p.region === b).map((p) => p.reply)).toEqual(['duplicate']);
    expect(messagesWithId(world, first.changeId!)).toHaveLength(1);
    world.healAndQuiesce();
    for (const region of world.config.regions) expect(currentVersionIn(world, region, keyId)).toBe(2);
    expectClean(world);
  });

  it('past the duplicate window, the resend with the original expectation conflicts and the writer finds its own change: still one version', () => {
    const world = scenarioWorld(3);
    const [a] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    const port = world.port(a);
    let publishes = 0;
    const slowPort = {
      ...port,
      publish: (request: Parameters<typeof port.publish>[0]) => {
        const reply = port.publish(request);
        // The first reply is lost, and the resend happens after the stream forgot the msg-id.
        if (publishes++ === 0) world.advance(world.config.duplicateWindowMs + 1);
        return reply;
      },
    };
    world.network.armPublishFault(a, 'lose-reply');
    const intent = {
      keyId, changeId: 'late-resend', syncFirst: false, retryOfIndeterminate: false, settle: true,
      build: (current: KeyRecord | null, nowMs: number) => applyKeyCommand(current!, { type: 'rotate', rotationType: 'ON_DEMAND' }, nowMs),
    };
    const result = world.region(a).write(slowPort, intent);
    expect(result).toMatchObject({ outcome: 'ok', record: { currentVersion: 2 } });
    expect(world.publishLog.filter((p) => p.msgId === 'late-resend').map((p) => p.reply)).toEqual(['timeout', 'conflict']);
    expect(messagesWithId(world, 'late-resend')).toHaveLength(1);
  });

  it('every region may run the due lifecycle work: two sweeps of the same destruction land one change', () => {
    const world = scenarioWorld(3);
    const [a, b] = regionsOf(world);
    const keyId = createdKey(world, a, null);
    keyCommand(world, a, keyId, { ...rotate, name: 'scheduleDeletion' });
    world.healAndQuiesce();
    world.advance(8 * 86_400_000);
    sweep(world, a);
    sweep(world, b);
    const destroys = world.stream.everStored().filter((m) => m.envelope.change.kind === 'key' && m.envelope.change.record.keyState === 'Destroyed');
    expect(destroys).toHaveLength(1);
    world.healAndQuiesce();
    expectClean(world);
  });

  it('a region with an empty store rebuilds from the bounded stream history alone', () => {
    const world = scenarioWorld(3, { maxMsgsPerSubject: 2 });
    const [a, b, c] = regionsOf(world);
    const everywhere = createdKey(world, a, null);
    const pinned = createdKey(world, b, [b, c]);
    for (let i = 0; i < 3; i++) keyCommand(world, a, everywhere, rotate);
    keyCommand(world, b, pinned, rotate);
    keyCommand(world, b, pinned, { ...rotate, name: 'removeRegion', regionArg: b });
    keyCommand(world, c, pinned, { ...rotate, name: 'addRegion', regionArg: a });
    world.healAndQuiesce();
    for (const keyId of [everywhere, pinned]) encrypt(world, c, keyId);
    encrypt(world, a, everywhere);
    expect(world.stream.firstSeq).toBeGreaterThan(1);
    const before = world.region(c).digests();

    world.step += 1;
    world.wipe(c);
    expect(world.region(c).store.keys.size).toBe(0);
    world.healAndQuiesce();
    world.observe();
    expect(world.region(c).digests()).toEqual(before);
    for (const ciphertext of world.ciphertexts) expect(world.region(c).decrypt(ciphertext, world.nowMs)).toBe(ciphertext.plaintext);
    expectClean(world, new Map([[c, world.step]]));
  });
});
