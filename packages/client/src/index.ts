/** The public surface of @latchkey/client. */
export { LatchkeyClient, type ManifestClientOptions } from './latchkey-client.ts';
export {
  DEFAULT_TIMEOUT_MS, type HealthOptions, type LatchkeyClientOptions, type RegionalOptions, type RetryOptions, type SingleNodeOptions,
} from './client-options.ts';
export { ClientCounters, type ClientEvent, type CountersSnapshot } from './client-events.ts';
export type { RegionEndpoint } from './routing/region-list.ts';
export type { RouterPorts } from './routing/router-ports.ts';
export { DEFAULT_CACHE_LIMITS, type DataKeyCacheLimits } from './envelope/data-key-cache.ts';
export { EnvelopeDecryptStream, EnvelopeEncryptStream } from './envelope/envelope-streams.ts';
export type {
  EnvelopeDecryptOptions, EnvelopeDecryptOutput, EnvelopeEncryptOptions, EnvelopeHeaderInfo, EnvelopeStreamOptions,
} from './envelope/envelope-types.ts';
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
