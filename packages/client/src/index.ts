/** The public surface of @latchkey/client. */
export { LatchkeyClient, DEFAULT_TIMEOUT_MS, type LatchkeyClientOptions } from './latchkey-client.ts';
export {
  LatchkeyClientError, isLatchkeyClientError, type ClientErrorCode, type ClientErrorInit, type TransportErrorCode,
} from './client-error.ts';
export { toBase64, fromBase64, isBase64 } from './base64.ts';
export type { RequestEffect } from './api-request.ts';
export type * from './key-types.ts';
export type * from './crypto-types.ts';
export type {
  BatchDecryptInput, BatchDecryptItem, BatchDecryptOutput, BatchDecryptResult, BatchEncryptInput, BatchEncryptItem,
  BatchEncryptOutput, BatchEncryptResult, BatchItemFailure,
} from './batch-operations.ts';
export type { Alias, AliasOutput, AliasTargetInput, ListAliasesInput, ListAliasesOutput } from './alias-operations.ts';
export type { CreatedToken, CreateTokenInput, ListTokensOutput, TokenInfo, WhoAmIOutput } from './token-operations.ts';
export type { ProbeOutput } from './probe-operations.ts';
