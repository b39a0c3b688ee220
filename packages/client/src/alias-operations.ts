/** Aliases: names (`alias/billing`) that point to a key and can be moved to another. */
import { call, callNoContent } from './answer.ts';
import { aliasPath } from './paths.ts';
import type { Requester } from './api-request.ts';
import type { PageInput } from './key-types.ts';

export interface Alias {
  readonly aliasName: string;
  readonly targetKeyId: string;
  readonly creationDate: string;
  readonly lastUpdatedDate: string;
}

export interface AliasOutput {
  readonly alias: Alias;
}

export interface AliasTargetInput {
  readonly aliasName: string;
  readonly targetKeyId: string;
}

export interface ListAliasesInput extends PageInput {
  /** Only the aliases of this key (id or alias). */
  readonly keyId?: string;
}

export interface ListAliasesOutput {
  readonly aliases: readonly Alias[];
  readonly nextMarker?: string;
  readonly truncated: boolean;
}

export async function createAlias(requester: Requester, input: AliasTargetInput): Promise<AliasOutput> {
  const body = { aliasName: input.aliasName, targetKeyId: input.targetKeyId };
  return (await call(requester, { operation: 'CreateAlias', method: 'POST', path: '/v1/aliases', body, effect: 'write' })).as<AliasOutput>();
}

export async function listAliases(requester: Requester, input: ListAliasesInput = {}): Promise<ListAliasesOutput> {
  const query = { keyId: input.keyId, limit: input.limit, marker: input.marker };
  const answer = await call(requester, { operation: 'ListAliases', method: 'GET', path: '/v1/aliases', query, effect: 'read' });
  answer.list(answer.fields.aliases, 'aliases');
  return answer.as<ListAliasesOutput>();
}

export async function updateAlias(requester: Requester, input: AliasTargetInput): Promise<AliasOutput> {
  const request = { operation: 'UpdateAlias', method: 'PUT', path: aliasPath(input.aliasName), body: { targetKeyId: input.targetKeyId }, effect: 'write' } as const;
  return (await call(requester, request)).as<AliasOutput>();
}

export function deleteAlias(requester: Requester, aliasName: string): Promise<void> {
  return callNoContent(requester, { operation: 'DeleteAlias', method: 'DELETE', path: aliasPath(aliasName), effect: 'write' });
}
