/**
 * Which server leads the replication stream, from the NATS monitor (`/jsz?streams=true`), which
 * needs no credentials and answers even while JetStream has no quorum. Server names are region
 * names (cluster:up sets server_name to the region). Several monitors are asked, because a paused
 * server does not answer and a cut-off one only knows a stale leader: the answer most servers
 * agree on wins.
 */
import { probe } from '../../cluster/http-probe.ts';
import type { Manifest } from '../../cluster/manifest.ts';

interface Jsz {
  readonly account_details?: readonly { readonly stream_detail?: readonly { readonly name?: string; readonly cluster?: { readonly leader?: string } }[] }[];
}

/** Pure: the leader of `stream` named in one monitor answer, or null. */
export function leaderInJsz(body: unknown, stream: string): string | null {
  for (const account of (body as Jsz | null)?.account_details ?? []) {
    for (const detail of account.stream_detail ?? []) {
      if (detail.name === stream && typeof detail.cluster?.leader === 'string' && detail.cluster.leader !== '') return detail.cluster.leader;
    }
  }
  return null;
}

/** The name most answers agree on (ties: the first seen), or null when none named a leader. */
export function majorityLeader(answers: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const answer of answers) if (answer !== null) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  let best: string | null = null;
  for (const [name, count] of counts) if (best === null || count > counts.get(best)!) best = name;
  return best;
}

export async function streamLeader(manifest: Manifest, stream = 'LATCHKEY'): Promise<string | null> {
  const answers = await Promise.all(manifest.regions.map(async (region) => {
    const jsz = await probe(`${region.natsMonitorUrl}/jsz?streams=true&config=true`, { timeoutMs: 1500 });
    return jsz.status === 200 ? leaderInJsz(jsz.body, stream) : null;
  }));
  return majorityLeader(answers);
}
