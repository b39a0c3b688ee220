/**
 * Whether a stream-info answer comes from a stream leader that leads a quorum right now. Pure, so
 * that the rule is unit-tested without a cluster.
 *
 * A nats-server that leads a replicated stream keeps saying so for up to ~20 s after it lost
 * every follower (its lost-quorum check runs every 10 s), and answers stream reads from its own
 * store meanwhile. Its answer lists the followers with `active` (time since each last answered it)
 * and `current` (caught up with what the leader applied). Followers answer every append and every
 * heartbeat (sent each second when idle), so a follower that answered within `maxActiveMs` and is
 * current is in the leader's term right now: with enough of them the leader has a quorum, and what
 * it applied is what any future leader will hold.
 */

/** The `cluster` block of a stream-info answer (nats.js ClusterInfo, `active` in nanoseconds). */
export interface StreamClusterView {
  readonly leader?: string;
  readonly replicas?: readonly { readonly current: boolean; readonly offline?: boolean; readonly active: number }[];
}

/** Followers must have answered the leader within this long: a bit more than two heartbeats. */
export const QUORUM_ACTIVE_MS = 2_500;

/**
 * `replicas` is the stream's replica count. A single-replica stream (or an unclustered server,
 * which gives no cluster block) is its own quorum.
 */
export function leaderHasQuorum(cluster: StreamClusterView | undefined, replicas: number, maxActiveMs = QUORUM_ACTIVE_MS): boolean {
  if (cluster === undefined) return true;
  if (!cluster.leader) return false;
  const needed = Math.floor(replicas / 2); // followers needed besides the leader
  const live = (cluster.replicas ?? []).filter((r) => r.current && r.offline !== true && r.active / 1_000_000 <= maxActiveMs).length;
  return live >= needed;
}
