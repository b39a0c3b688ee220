/**
 * AWS rotation operations, translated onto the control plane: Enable/DisableKeyRotation,
 * GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations. As in AWS, only symmetric
 * encryption keys rotate; asking about another key is UnsupportedOperationException.
 */
import { KEY_SPEC_INFO, LIMITS, LatchkeyError, type KeyRecord } from '@latchkey/core';
import { keyArn } from './arns.ts';
import type { AwsContext, AwsOperationTable } from './aws-context.ts';
import { namedKey } from './key-operations.ts';
import { optionalInteger, optionalString, type AwsInput } from './wire-input.ts';
import { epochSeconds } from './wire-output.ts';

function rotatableKey(context: AwsContext, input: AwsInput): KeyRecord {
  const key = namedKey(context, input);
  if (!KEY_SPEC_INFO[key.keySpec].rotatable) {
    throw new LatchkeyError('UnsupportedOperationException', `${key.keyId} key usage or key spec does not support rotation: only SYMMETRIC_DEFAULT keys rotate`);
  }
  return key;
}

/** The marker is the key version of the last rotation returned. */
function rotationMarker(input: AwsInput): number {
  const marker = optionalString(input, 'Marker', 1024);
  if (marker === undefined) return 0;
  if (!/^[0-9]{1,9}$/.test(marker)) throw new LatchkeyError('ValidationException', 'Marker is not one this service returned');
  return Number(marker);
}

function listKeyRotations(context: AwsContext, input: AwsInput) {
  const key = rotatableKey(context, input);
  const limit = optionalInteger(input, 'Limit', 1, 1000) ?? 100;
  const after = rotationMarker(input);
  const rotations = key.versions.filter((v) => v.rotationType !== 'INITIAL' && v.keyVersion > after);
  const page = rotations.slice(0, limit);
  const truncated = rotations.length > limit;
  return {
    Rotations: page.map((v) => ({ KeyId: keyArn(context.arns, key.keyId), RotationDate: epochSeconds(v.creationDateMs), RotationType: v.rotationType })),
    Truncated: truncated,
    ...(truncated ? { NextMarker: String(page[page.length - 1]?.keyVersion) } : {}),
  };
}

export const ROTATION_OPERATIONS: AwsOperationTable = {
  EnableKeyRotation: async (context, input) => {
    const key = rotatableKey(context, input);
    const rotationPeriodDays = optionalInteger(input, 'RotationPeriodInDays', LIMITS.rotationPeriodDaysMin, LIMITS.rotationPeriodDaysMax)
      ?? LIMITS.rotationPeriodDaysDefault;
    await context.services.controlPlane.runCommand(key.keyId, { type: 'enableRotation', rotationPeriodDays }, { principal: context.principal });
    return {};
  },
  DisableKeyRotation: async (context, input) => {
    await context.services.controlPlane.runCommand(rotatableKey(context, input).keyId, { type: 'disableRotation' }, { principal: context.principal });
    return {};
  },
  GetKeyRotationStatus: (context, input) => {
    const key = rotatableKey(context, input);
    return {
      KeyId: keyArn(context.arns, key.keyId),
      KeyRotationEnabled: key.rotationEnabled,
      ...(key.rotationPeriodDays !== null ? { RotationPeriodInDays: key.rotationPeriodDays } : {}),
      ...(key.nextRotationDateMs !== null ? { NextRotationDate: epochSeconds(key.nextRotationDateMs) } : {}),
    };
  },
  RotateKeyOnDemand: async (context, input) => {
    const key = rotatableKey(context, input);
    await context.services.controlPlane.runCommand(key.keyId, { type: 'rotate', rotationType: 'ON_DEMAND' }, { principal: context.principal });
    return { KeyId: keyArn(context.arns, key.keyId) };
  },
  ListKeyRotations: listKeyRotations,
};
