/** Bearer tokens (admin principals only) and the caller's own identity. */
import { call, callNoContent } from './answer.ts';
import { tokenPath } from './paths.ts';
import type { Requester } from './api-request.ts';

export interface CreateTokenInput {
  readonly principal: string;
  readonly admin?: boolean;
}

export interface CreatedToken {
  readonly tokenId: string;
  readonly principal: string;
  readonly admin: boolean;
  /** The bearer token itself: the node shows it this once and keeps only its hash. */
  readonly token: string;
}

export interface TokenInfo {
  readonly tokenId: string;
  readonly principal: string;
  readonly admin: boolean;
  readonly creationDate: string;
}

export interface ListTokensOutput {
  readonly tokens: readonly TokenInfo[];
}

export interface WhoAmIOutput {
  readonly principal: string;
  readonly admin: boolean;
}

export async function createToken(requester: Requester, input: CreateTokenInput): Promise<CreatedToken> {
  const body = { principal: input.principal, admin: input.admin };
  return (await call(requester, { operation: 'CreateToken', method: 'POST', path: '/v1/tokens', body, effect: 'write' })).as<CreatedToken>();
}

export async function listTokens(requester: Requester): Promise<ListTokensOutput> {
  const answer = await call(requester, { operation: 'ListTokens', method: 'GET', path: '/v1/tokens', effect: 'read' });
  answer.list(answer.fields.tokens, 'tokens');
  return answer.as<ListTokensOutput>();
}

export function revokeToken(requester: Requester, tokenId: string): Promise<void> {
  return callNoContent(requester, { operation: 'RevokeToken', method: 'DELETE', path: tokenPath(tokenId), effect: 'write' });
}

export async function whoami(requester: Requester): Promise<WhoAmIOutput> {
  return (await call(requester, { operation: 'WhoAmI', method: 'GET', path: '/v1/whoami', effect: 'read' })).as<WhoAmIOutput>();
}
