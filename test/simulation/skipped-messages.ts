/**
 * A simulation-only guard that a region never applies past a message it has not applied. When a
 * region moves its cursor from `after` to `seq`, no message in between may still be retained:
 * retention only ever removes, so such a message was retained when the consumer passed it, was
 * handed out before `seq`, and the region skipped it. Checked right after applying, before any
 * publish can purge the evidence. (A real node cannot see this; the stream's audit log can.)
 */
import type { AppliedDelivery } from './sim-region.ts';
import type { SimStream } from './sim-stream.ts';

export function skippedMessages(stream: SimStream, applied: readonly AppliedDelivery[]): string[] {
  return applied.flatMap(({ after, seq }) => {
    const first = stream.messagesAfter(after, 1)[0];
    return first !== undefined && first.seq < seq ? [`applied seq ${seq} after cursor ${after}, skipping retained seq ${first.seq}`] : [];
  });
}
