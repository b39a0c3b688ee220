/**
 * AWS key management operations, translated onto the control plane: CreateKey, DescribeKey,
 * ListKeys, Enable/DisableKey, UpdateKeyDescription, Schedule/CancelKeyDeletion, ReplicateKey.
 *
 * Region mapping: like an AWS key, a key created here lives in this region only (region policy
 * [this region]) unless MultiRegion is true, which gives it every region of the deployment.
 * ReplicateKey adds ReplicaRegion to the key's region policy (the `setRegions` command), which
 * re-wraps its material for that region.
 */
import {
  KEY_SPECS, KEY_USAGES, LIMITS, LatchkeyError, allowedRegions, type KeyRecord, type KeySpec,
} from '@latchkey/core';
import { keyArn, keyReference } from './arns.ts';
import type { AwsContext, AwsOperationTable } from './aws-context.ts';
import { keyMetadata } from './key-metadata.ts';
import {
  optionalBoolean, optionalEnum, optionalInteger, optionalString, pageRequest, refuseMember, requiredString, tagList, validationError,
  type AwsInput,
} from './wire-input.ts';
import { epochSeconds } from './wire-output.ts';

const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

/** The key named by KeyId (id, ARN, alias name or alias ARN), as a live record. */
export function namedKey(context: AwsContext, input: AwsInput, member = 'KeyId'): KeyRecord {
  return context.services.directory.resolve(keyReference(context.arns, requiredString(input, member, 2048)));
}

function createdKeySpec(input: AwsInput): KeySpec | undefined {
  const keySpec = optionalEnum(input, 'KeySpec', KEY_SPECS);
  const legacy = optionalEnum(input, 'CustomerMasterKeySpec', KEY_SPECS);
  if (keySpec && legacy && keySpec !== legacy) {
    throw new LatchkeyError('ValidationException', 'KeySpec and CustomerMasterKeySpec differ; give only KeySpec');
  }
  return keySpec ?? legacy;
}

async function createKey(context: AwsContext, input: AwsInput) {
  const origin = optionalEnum(input, 'Origin', ORIGINS);
  if (origin !== undefined && origin !== 'AWS_KMS') throw new LatchkeyError('UnsupportedOperationException', `Origin ${origin} is not supported: Latchkey generates all key material (AWS_KMS)`);
  refuseMember(input, 'CustomKeyStoreId', 'there are no custom key stores');
  refuseMember(input, 'XksKeyId', 'there are no external key stores');
  // Accepted for compatibility with tools that always send one; Latchkey authorizes by principal, not key policy.
  optionalString(input, 'Policy', 32_768);
  optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck');
  const keySpec = createdKeySpec(input);
  const keyUsage = optionalEnum(input, 'KeyUsage', KEY_USAGES);
  const description = optionalString(input, 'Description', LIMITS.descriptionMaxChars, 0);
  const tags = tagList(input, 'Tags');
  const regions = optionalBoolean(input, 'MultiRegion') ? null : [context.services.region];
  const { record } = await context.services.controlPlane.createKey({
    ...(keySpec ? { keySpec } : {}), ...(keyUsage ? { keyUsage } : {}), ...(description !== undefined ? { description } : {}),
    ...(tags ? { tags } : {}), regions,
  }, context.principal);
  return { KeyMetadata: keyMetadata(context.arns, record) };
}

async function listKeys(context: AwsContext, input: AwsInput) {
  const { limit, marker } = pageRequest(input);
  const page = await context.services.store.listKeys({ limit, marker });
  const keys = page.items.filter((k) => k.keyState !== 'Destroyed').map((k) => ({ KeyId: k.keyId, KeyArn: keyArn(context.arns, k.keyId) }));
  return { Keys: keys, Truncated: page.nextMarker !== null, ...(page.nextMarker !== null ? { NextMarker: page.nextMarker } : {}) };
}

async function scheduleKeyDeletion(context: AwsContext, input: AwsInput) {
  const key = namedKey(context, input);
  const pendingWindowDays = optionalInteger(input, 'PendingWindowInDays', LIMITS.pendingWindowDaysMin, LIMITS.pendingWindowDaysMax)
    ?? LIMITS.pendingWindowDaysDefault;
  const after = await context.services.controlPlane.runCommand(key.keyId, { type: 'scheduleDeletion', pendingWindowDays }, { principal: context.principal });
  return {
    KeyId: keyArn(context.arns, after.keyId), KeyState: after.keyState, PendingWindowInDays: after.pendingWindowDays ?? pendingWindowDays,
    ...(after.deletionDateMs !== null ? { DeletionDate: epochSeconds(after.deletionDateMs) } : {}),
  };
}

async function replicateKey(context: AwsContext, input: AwsInput) {
  const key = namedKey(context, input);
  const replicaRegion = requiredString(input, 'ReplicaRegion', 32);
  const deployment = context.services.cluster.regionNames;
  if (!deployment.includes(replicaRegion)) {
    throw validationError('ReplicaRegion', `Member must be a region of this deployment: [${deployment.join(', ')}]`, replicaRegion);
  }
  if (allowedRegions(key, deployment).includes(replicaRegion)) {
    throw new LatchkeyError('AlreadyExistsException', `key ${key.keyId} already has a replica in region ${replicaRegion}`);
  }
  const regions = [...(key.regions ?? []), replicaRegion];
  const after = await context.services.controlPlane.runCommand(key.keyId, { type: 'setRegions', regions }, { principal: context.principal });
  return {
    ReplicaKeyMetadata: keyMetadata(context.arns, after, replicaRegion),
    ReplicaTags: Object.entries(after.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  };
}

async function stateCommand(context: AwsContext, input: AwsInput, type: 'enable' | 'disable'): Promise<Record<string, unknown>> {
  await context.services.controlPlane.runCommand(namedKey(context, input).keyId, { type }, { principal: context.principal });
  return {};
}

export const KEY_OPERATIONS: AwsOperationTable = {
  CreateKey: createKey,
  DescribeKey: (context, input) => ({ KeyMetadata: keyMetadata(context.arns, namedKey(context, input)) }),
  ListKeys: listKeys,
  EnableKey: (context, input) => stateCommand(context, input, 'enable'),
  DisableKey: (context, input) => stateCommand(context, input, 'disable'),
  UpdateKeyDescription: async (context, input) => {
    const key = namedKey(context, input);
    const description = requiredString(input, 'Description', LIMITS.descriptionMaxChars, 0);
    await context.services.controlPlane.runCommand(key.keyId, { type: 'updateDescription', description }, { principal: context.principal });
    return {};
  },
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: async (context, input) => {
    const after = await context.services.controlPlane.runCommand(namedKey(context, input).keyId, { type: 'cancelDeletion' }, { principal: context.principal });
    return { KeyId: keyArn(context.arns, after.keyId) };
  },
  ReplicateKey: replicateKey,
};
