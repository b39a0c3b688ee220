/** AWS alias operations, translated onto the control plane: Create/Update/DeleteAlias, ListAliases. */
import type { AliasRecord } from '@latchkey/core';
import { aliasArn, aliasNameOf, keyReference, type ArnContext } from './arns.ts';
import type { AwsOperationTable } from './aws-context.ts';
import { namedKey } from './key-operations.ts';
import { pageRequest, requiredString } from './wire-input.ts';
import { epochSeconds } from './wire-output.ts';

function aliasEntry(context: ArnContext, alias: AliasRecord): Record<string, unknown> {
  return {
    AliasName: alias.aliasName,
    AliasArn: aliasArn(context, alias.aliasName),
    TargetKeyId: alias.targetKeyId,
    CreationDate: epochSeconds(alias.creationDateMs),
    LastUpdatedDate: epochSeconds(alias.lastUpdatedDateMs),
  };
}

export const ALIAS_OPERATIONS: AwsOperationTable = {
  CreateAlias: async (context, input) => {
    const aliasName = aliasNameOf(context.arns, requiredString(input, 'AliasName', 256));
    const target = keyReference(context.arns, requiredString(input, 'TargetKeyId', 2048));
    await context.services.controlPlane.createAlias(aliasName, target);
    return {};
  },
  UpdateAlias: async (context, input) => {
    const aliasName = aliasNameOf(context.arns, requiredString(input, 'AliasName', 256));
    const target = keyReference(context.arns, requiredString(input, 'TargetKeyId', 2048));
    await context.services.controlPlane.updateAlias(aliasName, target);
    return {};
  },
  DeleteAlias: async (context, input) => {
    await context.services.controlPlane.deleteAlias(aliasNameOf(context.arns, requiredString(input, 'AliasName', 256)));
    return {};
  },
  ListAliases: async (context, input) => {
    const { limit, marker } = pageRequest(input, 50);
    const keyId = input.KeyId === undefined || input.KeyId === null ? undefined : namedKey(context, input).keyId;
    const page = await context.services.store.listAliases({ limit, marker, ...(keyId ? { keyId } : {}) });
    return {
      Aliases: page.items.map((alias) => aliasEntry(context.arns, alias)),
      Truncated: page.nextMarker !== null,
      ...(page.nextMarker !== null ? { NextMarker: page.nextMarker } : {}),
    };
  },
};
