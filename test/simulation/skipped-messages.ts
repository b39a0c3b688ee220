/**
 * A simulation-only guard that a region never applies past a message it has not applied. When a
 * region moves its cursor from `after` to `seq`, no message in between may still be retained:
 * retention only ever removes, so such a message was retained when the consumer passed it, was
 * handed out before `seq`, and the region skipped it. Checked right after applying, before any
 * publish can purge the evidence. (A real node cannot see this; the stream's audit log can.)
 *
 * A rogue delivery (rogue-delivery.ts) legitimately takes a sequence the stream has not given out
 * yet, or gave to another message: that sequence itself is the fault's, and is not checked here
 * (rogue-gaps.ts follows what the stream puts there). Every sequence between `after` and `seq` still
 * is: none may be retained, and none may be one the stream has not given out yet, or the stream
 * could later put a message there that the region would have passed over.
 */
import type { AppliedDelivery } from './sim-region.ts';
import type { SimStream } from './sim-stream.ts';

export function skippedMessages(stream: SimStream, applied: readonly AppliedDelivery[]): string[] {
  return applied.flatMap(({ after, seq }) => {
    const first = stream.messagesAfter(after, 1)[0];
    if (first !== undefined && first.seq < seq) return [`applied seq ${seq} after cursor ${after}, skipping retained seq ${first.seq}`];
    const unassigned = Math.max(after, stream.lastSeq) + 1;
    if (unassigned < seq) return [`applied seq ${seq} after cursor ${after}, passing seq ${unassigned} before the stream gave it out`];
    return [];
  });
}
