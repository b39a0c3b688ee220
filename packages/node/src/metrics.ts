/**
 * Prometheus metrics of one node, in a registry of its own (so that several nodes can live in one
 * test process). Request counters are labelled by operation and result code.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KeyDirectory } from './key-directory.ts';

export interface NodeMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'operation' | 'result'>;
  readonly latency: Histogram<'operation'>;
}

export function createMetrics(options: { region: string; directory: KeyDirectory; defaultMetrics: boolean }): NodeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ region: options.region });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'latchkey_process_' });
  const requests = new Counter({
    name: 'latchkey_requests_total',
    help: 'Requests by operation and result (ok or an error code).',
    labelNames: ['operation', 'result'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'latchkey_request_duration_seconds',
    help: 'Request latency by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'latchkey_keys',
    help: 'Keys by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      for (const [state, count] of Object.entries(options.directory.countByState())) this.set({ state }, count);
    },
  });
  return { registry, requests, latency };
}
