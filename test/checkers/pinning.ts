/**
 * Region pinning is enforced by cryptography (design invariant 3): no change on the stream carries
 * material wrapped for a region outside that change's policy (nor any material for a destroyed
 * key, nor a blob filed under one region but wrapped for another), and no region keeps material
 * for a key once the key's record it applied excludes it.
 */
import { violationsResult, type CheckResult, type KeyObservation } from './types.ts';

export interface WrappedSlot {
  /** The region name the change files the blob under. */
  readonly slot: string;
  /** The region whose transport key the blob is actually wrapped under, when the checker can tell. */
  readonly wrappedFor: string | null;
}

export interface StreamKeyMessage {
  readonly seq: number;
  readonly keyId: string;
  readonly keyState: KeyObservation['keyState'];
  readonly allowedRegions: readonly string[];
  readonly versions: readonly { readonly keyVersion: number; readonly slots: readonly WrappedSlot[] }[];
}

export interface PinningInput {
  /** Every key change the stream ever stored (or still holds, in a drill). */
  readonly messages: readonly StreamKeyMessage[];
  /** What regions held over time. */
  readonly holdings: readonly KeyObservation[];
}

function messageProblems(message: StreamKeyMessage): string[] {
  const where = `stream seq ${message.seq} (${message.keyId})`;
  return message.versions.flatMap((version) => version.slots.flatMap((slot) => {
    const what = `${where} v${version.keyVersion} carries material for ${slot.slot}`;
    if (message.keyState === 'Destroyed') return [`${what}, but the key is destroyed`];
    if (!message.allowedRegions.includes(slot.slot)) return [`${what}, outside the policy [${message.allowedRegions.join(', ')}]`];
    if (slot.wrappedFor !== null && slot.wrappedFor !== slot.slot) return [`${what} that is wrapped for ${slot.wrappedFor}`];
    return [];
  }));
}

function holdingProblems(holding: KeyObservation): string[] {
  if (holding.heldVersions.length === 0) return [];
  const what = `${holding.region} holds material for ${holding.keyId} v${holding.heldVersions.join(',')} at ${holding.at}`;
  if (holding.keyState === 'Destroyed') return [`${what}, but its record says the key is destroyed`];
  if (!holding.allowedRegions.includes(holding.region)) return [`${what}, outside the policy [${holding.allowedRegions.join(', ')}]`];
  return [];
}

export function checkPinning(input: PinningInput): CheckResult {
  return violationsResult('pinning', [...input.messages.flatMap(messageProblems), ...input.holdings.flatMap(holdingProblems)]);
}
