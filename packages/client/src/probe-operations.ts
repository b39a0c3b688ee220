/**
 * Liveness and readiness. They answer with a status rather than throwing on 503, because "not ready"
 * is the information a probe asks for; only a node that cannot be reached at all throws.
 */
import type { Requester } from './api-request.ts';

export interface ProbeOutput {
  /** True for a 2xx answer. */
  readonly ok: boolean;
  readonly status: number;
  /** What the node said (for example `{ status: 'ready', region }`); empty when it sent no JSON object. */
  readonly details: Readonly<Record<string, unknown>>;
}

async function probe(requester: Requester, path: '/healthz' | '/readyz'): Promise<ProbeOutput> {
  const operation = path === '/healthz' ? 'Health' : 'Ready';
  const response = await requester({ operation, method: 'GET', path, effect: 'read', authenticated: false, acceptAnyStatus: true });
  const body = response.body;
  const details = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return { ok: response.status >= 200 && response.status < 300, status: response.status, details };
}

export function health(requester: Requester): Promise<ProbeOutput> {
  return probe(requester, '/healthz');
}

export function ready(requester: Requester): Promise<ProbeOutput> {
  return probe(requester, '/readyz');
}
