/**
 * The failover a caller sees when its home region's node dies: a steady load of encrypt calls from
 * `workers` concurrent callers through a LatchkeyClient with default settings (home = eu), the eu
 * node (a child process) killed with SIGKILL mid-load. Measured from the caller's side:
 *
 *   failoverMs      kill -> first successful call served by another region
 *   nodeExitMs      kill -> the killed process reported its exit (how long dying took, on a busy machine)
 *   callerErrors    calls that rejected, over the whole run (retries make this 0 when it works)
 *   errorWindowMs   first to last rejected call after the kill (0 without errors)
 *   maxCallMs       slowest call that was in flight or started in the second after the kill
 *   returnHomeMs    node restarted and ready -> first successful call served by eu again
 */
import type { LatchkeyClient } from '@latchkey/client';
import type { ObservedClient, RestartableNode } from '../test/client/cluster-client-support.ts';

export interface FailoverResult {
  readonly failoverMs: number | null;
  readonly nodeExitMs: number;
  readonly callerErrors: number;
  readonly errorWindowMs: number;
  readonly maxCallMs: number;
  readonly callsBeforeKill: number;
  readonly callsAfterKill: number;
  readonly returnHomeMs: number | null;
}

interface CallRecord {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly ok: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function load(client: LatchkeyClient, keyId: string, workers: number, records: CallRecord[], running: () => boolean): Promise<void> {
  const worker = async () => {
    while (running()) {
      const startedMs = performance.now();
      const ok = await client.encrypt({ keyId, plaintext: Buffer.from('steady load') }).then(() => true, () => false);
      records.push({ startedMs, endedMs: performance.now(), ok });
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

export async function measureFailover(
  observed: ObservedClient, keyId: string, home: RestartableNode, options: { workers: number; beforeMs: number; afterMs: number },
): Promise<FailoverResult> {
  const records: CallRecord[] = [];
  let running = true;
  const loading = load(observed.client, keyId, options.workers, records, () => running);
  await sleep(options.beforeMs);
  const killedAt = performance.now();
  await home.kill();
  const exitedAt = performance.now();
  await sleep(options.afterMs);

  const restartedFrom = performance.now();
  await home.start();
  const readyAt = performance.now();
  let homeAt: number | null = null;
  for (const deadline = readyAt + 20_000; homeAt === null && performance.now() < deadline;) {
    await sleep(20);
    homeAt = observed.events.find(({ atMs, event }) => atMs > readyAt && event.type === 'call' && event.outcome === 'ok' && event.region === 'eu')?.atMs ?? null;
  }
  running = false;
  await loading;

  const firstElsewhere = observed.events.find(({ atMs, event }) => atMs > killedAt && event.type === 'call' && event.outcome === 'ok' && event.region !== 'eu');
  const errors = records.filter((r) => !r.ok && r.endedMs > killedAt);
  const aroundKill = records.filter((r) => r.endedMs > killedAt && r.startedMs < killedAt + 1_000 && r.startedMs < restartedFrom);
  return {
    failoverMs: firstElsewhere === undefined ? null : firstElsewhere.atMs - killedAt,
    nodeExitMs: exitedAt - killedAt,
    callerErrors: records.filter((r) => !r.ok).length,
    errorWindowMs: errors.length === 0 ? 0 : Math.max(...errors.map((r) => r.endedMs)) - Math.min(...errors.map((r) => r.startedMs)),
    maxCallMs: Math.max(0, ...aroundKill.map((r) => r.endedMs - r.startedMs)),
    callsBeforeKill: records.filter((r) => r.endedMs <= killedAt).length,
    callsAfterKill: records.filter((r) => r.startedMs >= killedAt && r.startedMs < restartedFrom).length,
    returnHomeMs: homeAt === null ? null : homeAt - readyAt,
  };
}
