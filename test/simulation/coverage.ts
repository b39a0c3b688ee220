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
] as const;
export type CoverageEvent = (typeof COVERAGE_EVENTS)[number];

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

export class CoverageTally {
  readonly counts = new Map<CoverageEvent, number>(COVERAGE_EVENTS.map((e) => [e, 0]));

  note(world: SimWorld): void {
    for (const event of new Set([...writeEvents(world), ...deliveryEvents(world)])) this.counts.set(event, this.counts.get(event)! + 1);
  }

  missing(): CoverageEvent[] {
    return COVERAGE_EVENTS.filter((e) => this.counts.get(e) === 0);
  }

  describe(): string {
    return [...this.counts.entries()].map(([event, runs]) => `${event}: ${runs}`).join(', ');
  }
}
