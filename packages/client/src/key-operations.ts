/**
 * The control-plane operations. Each one is a request description plus the decoding of its answer;
 * JSON.stringify drops undefined fields, so optional inputs left out never reach the wire.
 */
import { call } from './answer.ts';
import { keyPath } from './paths.ts';
import type { Requester } from './api-request.ts';
import type {
  CreateKeyInput, KeyMetadataOutput, KeyRotationStatus, ListKeyRotationsOutput, ListKeysOutput, PageInput, PublicKeyOutput, RotateKeyInput,
  ScheduleKeyDeletionInput, SetKeyRotationInput, SetMinDecryptionVersionInput, TagKeyInput, TagsOutput, UntagKeyInput,
  UpdateKeyDescriptionInput,
} from './key-types.ts';

export async function createKey(requester: Requester, input: CreateKeyInput = {}): Promise<KeyMetadataOutput> {
  const body = {
    keySpec: input.keySpec, keyUsage: input.keyUsage, description: input.description, tags: input.tags,
    regions: input.regions, rotationPeriodDays: input.rotationPeriodDays, idempotencyKey: input.idempotencyKey,
  };
  // With an idempotency key the node answers a repeat with the key the first attempt created.
  const idempotent = input.idempotencyKey !== undefined;
  const answer = await call(requester, { operation: 'CreateKey', method: 'POST', path: '/v1/keys', body, effect: 'write', idempotent });
  return answer.as<KeyMetadataOutput>();
}

export async function listKeys(requester: Requester, input: PageInput = {}): Promise<ListKeysOutput> {
  const answer = await call(requester, { operation: 'ListKeys', method: 'GET', path: '/v1/keys', query: { limit: input.limit, marker: input.marker }, effect: 'read' });
  answer.list(answer.fields.keys, 'keys');
  return answer.as<ListKeysOutput>();
}

export async function describeKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return (await call(requester, { operation: 'DescribeKey', method: 'GET', path: keyPath(keyId), effect: 'read', keyIds: [keyId] })).as<KeyMetadataOutput>();
}

/** The many control-plane writes that send a small body and answer `{ keyMetadata }`. */
async function changeKey(
  requester: Requester, operation: string, method: 'POST' | 'PUT', keyId: string, action: string, body: object = {}, idempotent = false,
): Promise<KeyMetadataOutput> {
  return (await call(requester, { operation, method, path: keyPath(keyId, action), body, effect: 'write', idempotent, keyIds: [keyId] })).as<KeyMetadataOutput>();
}

/** A read of one key's sub-resource. */
async function readKey(requester: Requester, operation: string, keyId: string, action: string) {
  return call(requester, { operation, method: 'GET', path: keyPath(keyId, action), effect: 'read', keyIds: [keyId] });
}

export function enableKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'EnableKey', 'POST', keyId, 'enable');
}

export function disableKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'DisableKey', 'POST', keyId, 'disable');
}

export function updateKeyDescription(requester: Requester, input: UpdateKeyDescriptionInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'UpdateKeyDescription', 'PUT', input.keyId, 'description', { description: input.description });
}

export async function listTags(requester: Requester, keyId: string): Promise<TagsOutput> {
  return (await readKey(requester, 'ListResourceTags', keyId, 'tags')).as<TagsOutput>();
}

export function tagKey(requester: Requester, input: TagKeyInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'TagResource', 'POST', input.keyId, 'tags', { tags: input.tags });
}

export function untagKey(requester: Requester, input: UntagKeyInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'UntagResource', 'POST', input.keyId, 'untag', { tagKeys: input.tagKeys });
}

export function scheduleKeyDeletion(requester: Requester, input: ScheduleKeyDeletionInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'ScheduleKeyDeletion', 'POST', input.keyId, 'schedule-deletion', { pendingWindowDays: input.pendingWindowDays });
}

export function cancelKeyDeletion(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'CancelKeyDeletion', 'POST', keyId, 'cancel-deletion');
}

/** With an idempotency key, a repeat (after a time-out, in another region) adds no second version. */
export function rotateKey(requester: Requester, keyId: string, input: RotateKeyInput = {}): Promise<KeyMetadataOutput> {
  const idempotent = input.idempotencyKey !== undefined;
  return changeKey(requester, 'RotateKeyOnDemand', 'POST', keyId, 'rotate', { idempotencyKey: input.idempotencyKey }, idempotent);
}

export async function listKeyRotations(requester: Requester, keyId: string): Promise<ListKeyRotationsOutput> {
  const answer = await readKey(requester, 'ListKeyRotations', keyId, 'rotations');
  answer.list(answer.fields.rotations, 'rotations');
  return answer.as<ListKeyRotationsOutput>();
}

export async function getKeyRotationStatus(requester: Requester, keyId: string): Promise<KeyRotationStatus> {
  return (await readKey(requester, 'GetKeyRotationStatus', keyId, 'rotation')).as<KeyRotationStatus>();
}

export function setKeyRotation(requester: Requester, input: SetKeyRotationInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'SetKeyRotation', 'PUT', input.keyId, 'rotation', { enabled: input.enabled, rotationPeriodDays: input.rotationPeriodDays });
}

export function setMinDecryptionVersion(requester: Requester, input: SetMinDecryptionVersionInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'SetMinDecryptionVersion', 'PUT', input.keyId, 'min-decryption-version', { minDecryptionVersion: input.minDecryptionVersion });
}

export async function getPublicKey(requester: Requester, keyId: string): Promise<PublicKeyOutput> {
  const answer = await readKey(requester, 'GetPublicKey', keyId, 'public-key');
  return answer.as<PublicKeyOutput>({ publicKey: answer.bytes('publicKey') });
}
