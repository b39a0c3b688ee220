/** Small HTTP checks with hard time-outs: a paused (SIGSTOP) server must not hang a command. */

export interface Probe {
  /** 0 when there was no answer (refused, timed out). */
  readonly status: number;
  /** Parsed JSON, or null when the body was not JSON or there was no answer. */
  readonly body: unknown;
  /** Why there was no answer, for messages. */
  readonly error?: string;
}

export interface ProbeOptions {
  readonly token?: string;
  readonly timeoutMs?: number;
  /** Default GET. */
  readonly method?: 'GET' | 'POST';
  /** Sent as JSON. */
  readonly body?: unknown;
}

export async function probe(url: string, options: ProbeOptions = {}): Promise<Probe> {
  try {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method: options.method ?? 'GET', headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy error page, an empty 503): the status says enough.
    }
    return { status: response.status, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const name = (error as Error).name;
    return { status: 0, body: null, error: name === 'TimeoutError' ? 'no answer (timed out)' : `no answer (${cause ?? (error as Error).message})` };
  }
}

/** Is the nats-server behind this monitor URL healthy, and (clustered) does it know a JetStream meta leader? */
export async function natsReady(monitorUrl: string, needMetaLeader: boolean): Promise<{ ready: boolean; detail: string }> {
  const health = await probe(`${monitorUrl}/healthz`);
  if (health.status !== 200 || (health.body as { status?: unknown } | null)?.status !== 'ok') {
    return { ready: false, detail: health.error ?? `healthz ${health.status} ${JSON.stringify(health.body)}` };
  }
  if (!needMetaLeader) return { ready: true, detail: 'ok' };
  // healthz says ok a moment before every server knows the meta leader, and streams cannot be
  // created until it is known.
  const jsz = await probe(`${monitorUrl}/jsz`);
  const leader = (jsz.body as { meta_cluster?: { leader?: string } } | null)?.meta_cluster?.leader;
  return leader ? { ready: true, detail: `ok, meta leader ${leader}` } : { ready: false, detail: 'no JetStream meta leader yet' };
}

export type NatsHealth = { readonly state: 'ok' | 'degraded' | 'down'; readonly detail: string };

/**
 * For cluster:status: a server that answers is up, even when its healthz says 503. nats-server 2.9
 * answers 503 on a healthy server while any JetStream stream or consumer it hosts is not current,
 * e.g. for seconds after a peer paused; calling that region down would be wrong, so it is
 * "degraded" with the reason. Only no answer at all is down.
 */
export async function natsHealth(monitorUrl: string, clustered: boolean): Promise<NatsHealth> {
  const health = await probe(`${monitorUrl}/healthz`);
  if (health.status === 0) return { state: 'down', detail: health.error ?? 'no answer' };
  const body = health.body as { status?: unknown; error?: unknown } | null;
  if (health.status !== 200 || body?.status !== 'ok') {
    return { state: 'degraded', detail: typeof body?.error === 'string' ? body.error : `healthz ${health.status}` };
  }
  if (!clustered) return { state: 'ok', detail: 'ok' };
  const jsz = await probe(`${monitorUrl}/jsz`);
  const leader = (jsz.body as { meta_cluster?: { leader?: string } } | null)?.meta_cluster?.leader;
  return leader ? { state: 'ok', detail: `ok, meta leader ${leader}` } : { state: 'degraded', detail: 'no JetStream meta leader (quorum lost?)' };
}
