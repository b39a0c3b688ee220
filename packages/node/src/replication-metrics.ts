/**
 * Replication gauges and histograms: how far this region is behind the stream, in changes and in
 * time, and how long changes took from publish to apply here.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { ChangeApplier } from './change-applier.ts';
import type { ChangeLog } from './change-log.ts';
import type { NodeMetrics } from './metrics.ts';

export function registerReplicationMetrics(metrics: NodeMetrics, applier: ChangeApplier, log: ChangeLog): void {
  const registers = [metrics.registry];
  let last = { pending: 0, lagSeconds: 0, consumerResets: 0, unconfirmedKeys: 0, divergentKeys: 0, repairs: 0 };
  const refresh = async () => {
    const status = await log.status();
    last = {
      pending: status.pending ?? last.pending, lagSeconds: status.lagSeconds, consumerResets: status.consumerResets,
      unconfirmedKeys: status.unconfirmedKeys, divergentKeys: status.divergentKeys, repairs: status.repairs,
    };
  };
  new Gauge({ name: 'latchkey_replication_applied_seq', help: 'Stream sequence applied in this region.', registers, collect() { this.set(applier.appliedSeq); } });
  // Gauges read from the change log's status (refreshed at each scrape).
  const fromStatus = (name: string, help: string, pick: (values: typeof last) => number): void => {
    new Gauge({ name, help, registers, async collect() { await refresh(); this.set(pick(last)); } });
  };
  fromStatus('latchkey_replication_pending', 'Stream last sequence minus applied sequence (last known while the stream is unreachable).', (v) => v.pending);
  fromStatus('latchkey_replication_lag_seconds', 'Now minus the publish time of the last applied change while changes are pending; 0 when caught up.', (v) => v.lagSeconds);
  fromStatus(
    'latchkey_replication_consumer_resets', 'Times the replication consumer stalled (stream ahead, no deliveries) and was re-created from the cursor since start.',
    (v) => v.consumerResets,
  );
  new Gauge({
    name: 'latchkey_replication_divergent_versions', help: 'Held key versions found different from (or missing in) a replicated change since start; their material is kept (should stay 0).', registers,
    collect() { this.set(applier.divergentVersions); },
  });
  fromStatus(
    'latchkey_replication_unconfirmed_keys', 'Keys whose current version the stream\'s quorum has not been seen holding yet; their last confirmed version serves new output meanwhile.',
    (v) => v.unconfirmedKeys,
  );
  fromStatus('latchkey_replication_divergent_keys', 'Keys whose state here was found not to be the stream\'s and is not repaired yet (should stay 0).', (v) => v.divergentKeys);
  fromStatus(
    'latchkey_replication_repairs', 'Keys repaired from a quorum read of the stream since start (each one a region that had applied a change the stream did not keep, or passed one over).',
    (v) => v.repairs,
  );
  const delay = new Histogram({
    name: 'latchkey_replication_apply_delay_seconds', help: 'Publish-to-apply delay of each change in this region.', registers,
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const applied = new Counter({ name: 'latchkey_replication_changes_total', help: 'Changes seen by the applier, by outcome.', labelNames: ['outcome'] as const, registers });
  applier.onApplied((_change, decision, delayMs) => {
    delay.observe(delayMs / 1000);
    applied.inc({ outcome: decision.action });
  });
}
