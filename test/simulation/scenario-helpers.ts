/**
 * Small helpers for properties and scripted scenarios: a run healed to quiescence, the verdict on
 * it, a world, the last history entry, keys by creation, and the stream messages that carry one
 * change id.
 */
import { describeFailures } from '../checkers/index.ts';
import { createKey } from './client-ops.ts';
import { describeEntry, type HistoryEntry } from './history.ts';
import { newWorld, runSteps, type Schedule } from './schedule.ts';
import { verdictOf } from './sim-verdict.ts';
import type { StoredMessage } from './sim-stream.ts';
import { SimWorld, worldConfig, type WorldConfig } from './sim-world.ts';

/** Throws a report of every failed checker and anomaly, with the run's history, if the run is not clean. */
export function expectClean(world: SimWorld, wipedAt: ReadonlyMap<string, number> = new Map()): void {
  const verdict = verdictOf(world, wipedAt);
  const failures = describeFailures(verdict.results);
  const anomalies = verdict.anomalies.length === 0 ? '' : `anomalies:\n${verdict.anomalies.slice(0, 10).map((a) => `  - ${a}`).join('\n')}`;
  if (failures === '' && anomalies === '') return;
  const history = world.history.map(describeEntry).join('\n');
  throw new Error([failures, anomalies, 'client history:', history].filter((s) => s !== '').join('\n'));
}

/** Runs a schedule, heals every fault, lets replication and confirmation quiesce, reads back, and observes. */
export function runAndHeal(schedule: Schedule): SimWorld {
  const world = newWorld(schedule);
  runSteps(world, schedule.steps);
  return healAndReadBack(world);
}

/** Heals every fault, lets replication and confirmation quiesce, reads every ciphertext back everywhere (`readBack`), and observes. */
export function healAndReadBack(world: SimWorld): SimWorld {
  world.healAndQuiesce();
  world.readBack();
  world.observe();
  return world;
}

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
