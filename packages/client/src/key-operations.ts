/**
 * The control-plane operations. Each one is a request description plus the decoding of its answer;
 * JSON.stringify drops undefined fields, so optional inputs left out never reach the wire.
 */
import { call } from './answer.ts';
import { keyPath } from './paths.ts';
import type { Requester } from './api-request.ts';
import type {
  CreateKeyInput, KeyMetadataOutput, KeyRotationStatus, ListKeyRotationsOutput, ListKeysOutput, PageInput, PublicKeyOutput,
  ScheduleKeyDeletionInput, SetKeyRotationInput, SetMinDecryptionVersionInput, TagKeyInput, TagsOutput, UntagKeyInput,
  UpdateKeyDescriptionInput,
} from './key-types.ts';

export async function createKey(requester: Requester, input: CreateKeyInput = {}): Promise<KeyMetadataOutput> {
  const body = {
    keySpec: input.keySpec, keyUsage: input.keyUsage, description: input.description, tags: input.tags,
    regions: input.regions, rotationPeriodDays: input.rotationPeriodDays, idempotencyKey: input.idempotencyKey,
  };
  const answer = await call(requester, { method: 'POST', path: '/v1/keys', body, effect: 'write' });
  return answer.as<KeyMetadataOutput>();
}

export async function listKeys(requester: Requester, input: PageInput = {}): Promise<ListKeysOutput> {
  const answer = await call(requester, { method: 'GET', path: '/v1/keys', query: { limit: input.limit, marker: input.marker }, effect: 'read' });
  answer.list(answer.fields.keys, 'keys');
  return answer.as<ListKeysOutput>();
}

export async function describeKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return (await call(requester, { method: 'GET', path: keyPath(keyId), effect: 'read' })).as<KeyMetadataOutput>();
}

/** The many control-plane writes that send a small body and answer `{ keyMetadata }`. */
async function changeKey(requester: Requester, method: 'POST' | 'PUT', keyId: string, action: string, body: object = {}): Promise<KeyMetadataOutput> {
  return (await call(requester, { method, path: keyPath(keyId, action), body, effect: 'write' })).as<KeyMetadataOutput>();
}

export function enableKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', keyId, 'enable');
}

export function disableKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', keyId, 'disable');
}

export function updateKeyDescription(requester: Requester, input: UpdateKeyDescriptionInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'PUT', input.keyId, 'description', { description: input.description });
}

export async function listTags(requester: Requester, keyId: string): Promise<TagsOutput> {
  return (await call(requester, { method: 'GET', path: keyPath(keyId, 'tags'), effect: 'read' })).as<TagsOutput>();
}

export function tagKey(requester: Requester, input: TagKeyInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', input.keyId, 'tags', { tags: input.tags });
}

export function untagKey(requester: Requester, input: UntagKeyInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', input.keyId, 'untag', { tagKeys: input.tagKeys });
}

export function scheduleKeyDeletion(requester: Requester, input: ScheduleKeyDeletionInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', input.keyId, 'schedule-deletion', { pendingWindowDays: input.pendingWindowDays });
}

export function cancelKeyDeletion(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', keyId, 'cancel-deletion');
}

export function rotateKey(requester: Requester, keyId: string): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'POST', keyId, 'rotate');
}

export async function listKeyRotations(requester: Requester, keyId: string): Promise<ListKeyRotationsOutput> {
  const answer = await call(requester, { method: 'GET', path: keyPath(keyId, 'rotations'), effect: 'read' });
  answer.list(answer.fields.rotations, 'rotations');
  return answer.as<ListKeyRotationsOutput>();
}

export async function getKeyRotationStatus(requester: Requester, keyId: string): Promise<KeyRotationStatus> {
  return (await call(requester, { method: 'GET', path: keyPath(keyId, 'rotation'), effect: 'read' })).as<KeyRotationStatus>();
}

export function setKeyRotation(requester: Requester, input: SetKeyRotationInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'PUT', input.keyId, 'rotation', { enabled: input.enabled, rotationPeriodDays: input.rotationPeriodDays });
}

export function setMinDecryptionVersion(requester: Requester, input: SetMinDecryptionVersionInput): Promise<KeyMetadataOutput> {
  return changeKey(requester, 'PUT', input.keyId, 'min-decryption-version', { minDecryptionVersion: input.minDecryptionVersion });
}

export async function getPublicKey(requester: Requester, keyId: string): Promise<PublicKeyOutput> {
  const answer = await call(requester, { method: 'GET', path: keyPath(keyId, 'public-key'), effect: 'read' });
  return answer.as<PublicKeyOutput>({ publicKey: answer.bytes('publicKey') });
}
