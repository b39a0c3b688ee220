/**
 * Which interesting situations a run went through. A property that passes only because its
 * schedules never reach a conflict, a lost reply or a consumer reset proves nothing, so the
 * simulation tallies these across runs and the test insists that each one was met.
 */
import type { SimWorld } from './sim-world.ts';

export const COVERAGE_EVENTS = [
  'cas conflict', 'duplicate ack', 'indeterminate write', 'client retry ok', 'gap reset', 'stall reset', 'repeated delivery',
  'delivery from an old consumer',
  'history truncated', 'policy narrowed', 'policy widened', 'decrypt in another region', 'stream unavailable', 'key destroyed',
  'key unavailable until confirmed', 'older confirmed version served', 'write answered indeterminate until confirmed',
  'write refused until the key is confirmed',
] as const;
/** What schedules with rogue deliveries must meet (the rest is the first list's business). */
export const ROGUE_COVERAGE_EVENTS = [
  'rogue delivery', 'rogue sequence reused by the stream', 'divergence repaired', 'key unavailable until confirmed',
  'older confirmed version served', 'write answered indeterminate until confirmed', 'decrypt in another region',
  'rogue version overtaken by a real change', 'look-up repair', 'write on a rogue state stopped where compare-and-set would pass',
] as const;
export type CoverageEvent = (typeof COVERAGE_EVENTS)[number] | (typeof ROGUE_COVERAGE_EVENTS)[number];

function writeEvents(world: SimWorld): CoverageEvent[] {
  const events: CoverageEvent[] = [];
  const replies = new Set(world.publishLog.map((p) => p.reply));
  if (replies.has('conflict')) events.push('cas conflict');
  if (replies.has('duplicate')) events.push('duplicate ack');
  if (replies.has('unavailable')) events.push('stream unavailable');
  const okWrites = world.history.filter((e) => e.outcome === 'ok' && e.changeId !== null);
  if (world.history.some((e) => e.outcome === 'indeterminate')) events.push('indeterminate write');
  if (okWrites.some((e) => e.retryOf !== null)) events.push('client retry ok');
  if (okWrites.some((e) => e.command === 'removeRegion')) events.push('policy narrowed');
  if (okWrites.some((e) => e.command === 'addRegion' || e.command === 'unpin')) events.push('policy widened');
  if (okWrites.some((e) => e.command === 'destroy')) events.push('key destroyed');
  return events;
}

function deliveryEvents(world: SimWorld): CoverageEvent[] {
  const regions = [...world.regions.values()];
  const events: CoverageEvent[] = [];
  if (regions.some((r) => r.deliveryStats.gapResets > 0)) events.push('gap reset');
  if (regions.some((r) => r.deliveryStats.stallResets > 0)) events.push('stall reset');
  if (regions.some((r) => r.deliveryStats.repeated > 0)) events.push('repeated delivery');
  if (regions.some((r) => r.deliveryStats.oldIncarnation > 0)) events.push('delivery from an old consumer');
  if (world.stream.firstSeq > 1) events.push('history truncated');
  const made = new Map(world.ciphertexts.map((c) => [c.ciphertextId, c.encryptedIn]));
  if (world.history.some((e) => e.kind === 'decrypt' && e.outcome === 'ok' && made.get(e.ciphertextId ?? '') !== e.region)) {
    events.push('decrypt in another region');
  }
  return events;
}

function confirmationEvents(world: SimWorld): CoverageEvent[] {
  const regions = [...world.regions.values()];
  const events: CoverageEvent[] = [];
  if (regions.some((r) => r.confirmStats.unavailable > 0)) events.push('key unavailable until confirmed');
  if (regions.some((r) => r.confirmStats.olderVersionServed > 0)) events.push('older confirmed version served');
  if (regions.some((r) => r.confirmStats.unconfirmedWrites > 0)) events.push('write answered indeterminate until confirmed');
  if (regions.some((r) => r.rogueChanges.length > 0)) events.push('rogue delivery');
  if (regions.some((r) => r.rogueChanges.some((c) => c.seq <= world.stream.lastSeq))) events.push('rogue sequence reused by the stream');
  if (regions.some((r) => r.confirmStats.repairs > 0)) events.push('divergence repaired');
  if (regions.some((r) => r.confirmStats.writesRefusedUnconfirmed > 0)) events.push('write refused until the key is confirmed');
  if (regions.some((r) => r.overtakenRogue.length > 0)) events.push('rogue version overtaken by a real change');
  if (regions.some((r) => r.confirmStats.lookUpRepairs > 0)) events.push('look-up repair');
  if (regions.some((r) => r.confirmStats.rogueWritesStopped > 0)) events.push('write on a rogue state stopped where compare-and-set would pass');
  return events;
}

export class CoverageTally {
  readonly events: readonly CoverageEvent[];
  readonly counts: Map<CoverageEvent, number>;

  constructor(events: readonly CoverageEvent[] = COVERAGE_EVENTS) {
    this.events = events;
    this.counts = new Map(events.map((e) => [e, 0]));
  }

  note(world: SimWorld): void {
    for (const event of new Set([...writeEvents(world), ...deliveryEvents(world), ...confirmationEvents(world)])) {
      const runs = this.counts.get(event);
      if (runs !== undefined) this.counts.set(event, runs + 1);
    }
  }

  missing(): CoverageEvent[] {
    return this.events.filter((e) => this.counts.get(e) === 0);
  }

  describe(): string {
    return [...this.counts.entries()].map(([event, runs]) => `${event}: ${runs}`).join(', ');
  }
}
