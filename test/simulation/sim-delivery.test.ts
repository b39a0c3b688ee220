// Proves that a region fed by an ordered consumer (no acks, no redelivery, delivery sequences
// 1, 2, 3, ... per incarnation) applies the stream in order and misses nothing, although the
// network drops, duplicates, delays and reorders deliveries: it applies only the next delivery of
// its current incarnation, ignores repeats and deliveries of abandoned incarnations, re-creates the
// consumer from its cursor on a gap, and the watchdog does the same when deliveries stop while the
// stream has more. A rogue delivery moves the cursor to its own sequence only.
import { describe, expect, it } from 'vitest';
import { keyCommand } from './client-ops.ts';
import { createdKey, scenarioWorld } from './scenario-helpers.ts';
import { skippedMessages } from './skipped-messages.ts';
import type { SimWorld } from './sim-world.ts';

/** One key created and rotated three times: stream sequences 1..4, nothing pulled yet. */
function worldWithChanges(maxMsgsPerSubject = 10) {
  const world = scenarioWorld(3, { fetchBatch: 8, maxMsgsPerSubject });
  const [a, , c] = world.config.regions as [string, string, string];
  const keyId = createdKey(world, a, null);
  for (let i = 0; i < 3; i++) keyCommand(world, a, keyId, { name: 'rotate', regionArg: a, readFrom: null, syncFirst: false });
  return { world, a, c, keyId };
}

const consumerOf = (world: SimWorld, region: string) => world.consumers.get(region)!;

describe('delivery to a region', () => {
  it('applies the deliveries of one consumer in order, numbered 1, 2, 3, ... and acknowledges nothing', () => {
    const { world, c, keyId } = worldWithChanges();
    world.pull(c);
    expect(consumerOf(world, c)).toMatchObject({ startSeq: 1, deliveredUpTo: 4 });
    world.deliver(c, 10);
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
    expect(world.region(c).store.keys.get(keyId)?.record.currentVersion).toBe(4);
    // Nothing more to hand out, and nothing handed out again: there is no ack floor to redeliver from.
    world.advance(60_000);
    world.pull(c);
    expect(world.network.inFlightCount(c)).toBe(0);
  });

  it('on a reordered delivery, throws the consumer away and applies everything in stream order from a new one', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    const first = consumerOf(world, c).name;
    world.network.reorder(c, 3);
    // In flight: delivery 4, then 1, 2, 3. Delivery 4 shows a gap; 1..3 belong to the abandoned consumer.
    world.deliver(c, 10);
    expect(world.region(c).appliedSeqs).toEqual([]);
    expect(world.region(c).deliveryStats).toMatchObject({ gapResets: 1, oldIncarnation: 3 });
    expect(consumerOf(world, c).name).not.toBe(first);
    expect(consumerOf(world, c).startSeq).toBe(1);
    world.replicate(c);
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
  });

  it('ignores a duplicated delivery', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    world.network.duplicate(c, 0);
    world.deliver(c, 10);
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
    expect(world.region(c).deliveryStats).toEqual({ gapResets: 0, stallResets: 0, repeated: 1, oldIncarnation: 0 });
  });

  it('never applies a delivery past a gap: a lost delivery is fetched again by a consumer started at the cursor', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    world.network.drop(c, 1);
    // In flight: 1, 3, 4. Delivery 3 is not the next one, so neither it nor 4 is applied.
    world.deliver(c, 10);
    expect(world.region(c).appliedSeqs).toEqual([1]);
    expect(world.region(c).store.cursor).toBe(1);
    expect(world.region(c).deliveryStats).toMatchObject({ gapResets: 1, oldIncarnation: 1 });
    expect(consumerOf(world, c).startSeq).toBe(2);
    world.replicate(c);
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
    expect(world.region(c).anomalies).toEqual([]);
  });

  it('repairs a lost last delivery with the watchdog, once nothing arrived for the stall time', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    world.network.drop(c, 3);
    world.deliver(c, 10);
    expect(world.region(c).store.cursor).toBe(3);
    // Nothing follows the loss, so no gap shows; the consumer has nothing more to hand out.
    world.pull(c);
    expect(world.network.inFlightCount(c)).toBe(0);
    world.advance(world.config.stallMs - 1);
    world.watchdog(c);
    expect(world.region(c).deliveryStats.stallResets).toBe(0);
    world.advance(1);
    world.watchdog(c);
    expect(world.region(c).deliveryStats.stallResets).toBe(1);
    expect(consumerOf(world, c).startSeq).toBe(4);
    world.replicate(c);
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
  });

  it('the watchdog leaves alone a region that has the whole stream, however long it was idle', () => {
    const { world, c } = worldWithChanges();
    world.replicate(c);
    world.advance(10 * world.config.stallMs);
    world.watchdog(c);
    expect(world.region(c).deliveryStats.stallResets).toBe(0);
  });

  it('takes stream sequences that skip purged messages as they come: only delivery sequences must not skip', () => {
    const { world, c } = worldWithChanges(2);
    // Each subject keeps 2 messages: sequences 1 and 2 are purged before the consumer starts.
    world.pull(c);
    world.deliver(c, 10);
    expect(world.region(c).appliedSeqs).toEqual([3, 4]);
    expect(world.region(c).deliveryStats).toEqual({ gapResets: 0, stallResets: 0, repeated: 0, oldIncarnation: 0 });
  });

  it('after a restart, follows a new consumer that starts right after the durable cursor', () => {
    const { world, c } = worldWithChanges();
    world.pull(c, 2);
    world.deliver(c, 1);
    world.restart(c);
    expect(world.network.inFlightCount(c)).toBe(0);
    world.pull(c, 1);
    expect(consumerOf(world, c).startSeq).toBe(2);
    world.deliver(c, 10);
    expect(world.region(c).appliedSeqs).toEqual([1, 2]);
    world.replicate(c);
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
  });

  it('delivers nothing over a cut link, and everything once healed', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    world.network.cut(c);
    world.deliver(c, 10);
    world.pull(c);
    expect(world.region(c).store.cursor).toBe(0);
    world.healAndQuiesce();
    expect(world.region(c).appliedSeqs).toEqual([1, 2, 3, 4]);
  });

  it('a rogue delivery: the cut-off region gets what its own server holds, then a change the stream never keeps at the next sequence; the guard reports any other sequence passed', () => {
    const { world, c, keyId } = worldWithChanges();
    world.network.cut(c);
    world.refreshQuorum();
    world.rogueDelivery(c, 0);
    const region = world.region(c);
    expect(region.appliedSeqs).toEqual([1, 2, 3, 4]);
    expect(region.rogueChanges).toEqual([{ seq: 5, keyId }]);
    expect(region.store.cursor).toBe(5);
    expect(region.store.keys.get(keyId)?.record.currentVersion).toBe(5);
    expect(region.anomalies).toEqual([]);
    expect(skippedMessages(world.stream, [{ after: 5, seq: 7 }])).toEqual(['applied seq 7 after cursor 5, passing seq 6 before the stream gave it out']);
  });
});
