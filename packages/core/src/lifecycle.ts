/**
 * What the lifecycle manager must do for a key at a given time: destroy keys whose deletion window
 * has passed, rotate keys whose rotation is due. Pure, so that any clock can drive it; idempotent,
 * because a command that is no longer due is simply not returned.
 */
import type { KeyRecord } from './key-record.ts';
import type { KeyCommand } from './key-machine.ts';

export function dueLifecycleCommands(record: KeyRecord, nowMs: number): KeyCommand[] {
  if (record.keyState === 'PendingDeletion' && record.deletionDateMs !== null && nowMs >= record.deletionDateMs) {
    return [{ type: 'destroy' }];
  }
  if (
    record.keyState === 'Enabled' && record.rotationEnabled &&
    record.nextRotationDateMs !== null && nowMs >= record.nextRotationDateMs
  ) {
    return [{ type: 'rotate', rotationType: 'AUTOMATIC' }];
  }
  return [];
}
