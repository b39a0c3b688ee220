/**
 * Small helpers for scripted scenarios: a world, the last history entry, keys by creation, and
 * the stream messages that carry one change id.
 */
import { createKey } from './client-ops.ts';
import type { HistoryEntry } from './history.ts';
import type { StoredMessage } from './sim-stream.ts';
import { SimWorld, worldConfig, type WorldConfig } from './sim-world.ts';

export function scenarioWorld(regionCount = 3, overrides: Partial<WorldConfig> = {}): SimWorld {
  return new SimWorld(worldConfig(regionCount, overrides));
}

export function regionsOf(world: SimWorld): [string, string, string] {
  const [a, b, c] = world.config.regions;
  return [a!, b!, c!];
}

export function lastEntry(world: SimWorld): HistoryEntry {
  const entry = world.history.at(-1);
  if (entry === undefined) throw new Error('no operation recorded yet');
  return entry;
}

/** Creates a key and returns its id; fails the scenario unless the creation was acknowledged. */
export function createdKey(world: SimWorld, region: string, pinned: readonly string[] | null): string {
  createKey(world, region, pinned);
  const entry = lastEntry(world);
  if (entry.outcome !== 'ok' || entry.keyId === null) throw new Error(`create in ${region} was ${entry.outcome} ${entry.code ?? ''}`);
  return entry.keyId;
}

export function messagesWithId(world: SimWorld, changeId: string): StoredMessage[] {
  return world.stream.everStored().filter((m) => m.msgId === changeId);
}

export function currentVersionIn(world: SimWorld, region: string, keyId: string): number | undefined {
  return world.region(region).store.keys.get(keyId)?.record.currentVersion;
}
