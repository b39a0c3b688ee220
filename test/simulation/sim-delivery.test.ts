// Proves that delivery is at-least-once and possibly out of order, yet a region applies in stream
// order: the consumer redelivers from its ack floor after the ack wait, the network can drop,
// duplicate and reorder, and the region buffers until a delivery links to its cursor.
import { describe, expect, it } from 'vitest';
import { createdKey, scenarioWorld } from './scenario-helpers.ts';
import { keyCommand } from './client-ops.ts';

function worldWithChanges() {
  const world = scenarioWorld(3, { fetchBatch: 8, maxMsgsPerSubject: 10 });
  const [a, , c] = world.config.regions as [string, string, string];
  const keyId = createdKey(world, a, null);
  for (let i = 0; i < 3; i++) keyCommand(world, a, keyId, { name: 'rotate', regionArg: a, readFrom: null, syncFirst: false });
  return { world, c, keyId };
}

describe('delivery to a region', () => {
  it('applies reordered and duplicated deliveries in stream order', () => {
    const { world, c, keyId } = worldWithChanges();
    world.pull(c);
    expect(world.network.inFlightCount(c)).toBe(4);
    world.network.duplicate(c, 0);
    world.network.reorder(c, 3);
    // In flight now: 4, 1, 2, 3, 1. Sequence 4 arrives first and waits for 1..3.
    world.deliver(c, 1);
    expect(world.region(c).store.cursor).toBe(0);
    world.deliver(c, 3);
    expect(world.region(c).store.cursor).toBe(4);
    world.deliver(c, 1);
    expect(world.region(c).store.keys.get(keyId)?.record.currentVersion).toBe(4);
    expect(world.region(c).deliveryStats).toMatchObject({ outOfOrder: 1, repeated: 1 });
  });

  it('gets a dropped delivery again from the ack floor once the ack wait has passed', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    world.network.drop(c, 1);
    world.deliver(c, 10);
    expect(world.region(c).store.cursor).toBe(1);
    world.pull(c);
    expect(world.network.inFlightCount(c)).toBe(0);
    world.advance(world.config.ackWaitMs);
    world.pull(c);
    world.deliver(c, 10);
    expect(world.region(c).store.cursor).toBe(4);
    expect(world.consumers.get(c)!.ackFloor).toBe(4);
  });

  it('delivers nothing over a cut link, and everything once healed', () => {
    const { world, c } = worldWithChanges();
    world.pull(c);
    world.network.cut(c);
    world.deliver(c, 10);
    expect(world.region(c).store.cursor).toBe(0);
    world.healAndQuiesce();
    expect(world.region(c).store.cursor).toBe(4);
  });
});
