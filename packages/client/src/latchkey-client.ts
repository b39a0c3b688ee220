/**
 * LatchkeyClient: one typed method per operation of docs/api.md, against a single region node.
 * Every method goes through one Requester, the seam where region failover and retries will go; the
 * methods themselves only describe requests and decode answers (see the *-operations.ts files).
 */
import { createHttpRequester } from './http-requester.ts';
import { walkPages } from './pages.ts';
import * as aliasOps from './alias-operations.ts';
import * as batchOps from './batch-operations.ts';
import * as cryptoOps from './crypto-operations.ts';
import * as keyOps from './key-operations.ts';
import * as probeOps from './probe-operations.ts';
import * as tokenOps from './token-operations.ts';
import type { Requester } from './api-request.ts';
import type { Alias, AliasOutput, AliasTargetInput, ListAliasesInput, ListAliasesOutput } from './alias-operations.ts';
import type { BatchDecryptInput, BatchDecryptOutput, BatchEncryptInput, BatchEncryptOutput } from './batch-operations.ts';
import type * as C from './crypto-types.ts';
import type * as K from './key-types.ts';
import type { ProbeOutput } from './probe-operations.ts';
import type { CreatedToken, CreateTokenInput, ListTokensOutput, WhoAmIOutput } from './token-operations.ts';

export interface LatchkeyClientOptions {
  /** Base URL of a region node, for example http://127.0.0.1:8080. */
  readonly url: string;
  /** Bearer token for /v1 calls. */
  readonly token: string;
  /** Deadline of each request, connect to last byte of the answer; default 10 000. */
  readonly timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export class LatchkeyClient {
  readonly #request: Requester;

  constructor(options: LatchkeyClientOptions) {
    this.#request = createHttpRequester({ url: options.url, token: options.token, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  }

  // Keys (control plane)
  createKey(input?: K.CreateKeyInput): Promise<K.KeyMetadataOutput> { return keyOps.createKey(this.#request, input); }
  describeKey(keyId: string): Promise<K.KeyMetadataOutput> { return keyOps.describeKey(this.#request, keyId); }
  listKeys(input?: K.PageInput): Promise<K.ListKeysOutput> { return keyOps.listKeys(this.#request, input); }

  /** Every key, following markers page by page; `limit` is the page size. */
  keys(input: { readonly limit?: number } = {}): AsyncGenerator<K.KeyListEntry, void, undefined> {
    return walkPages(async (marker) => {
      const page = await this.listKeys({ limit: input.limit, marker });
      return { items: page.keys, nextMarker: page.nextMarker, truncated: page.truncated };
    }, '/v1/keys');
  }

  enableKey(keyId: string): Promise<K.KeyMetadataOutput> { return keyOps.enableKey(this.#request, keyId); }
  disableKey(keyId: string): Promise<K.KeyMetadataOutput> { return keyOps.disableKey(this.#request, keyId); }
  updateKeyDescription(input: K.UpdateKeyDescriptionInput): Promise<K.KeyMetadataOutput> { return keyOps.updateKeyDescription(this.#request, input); }
  listTags(keyId: string): Promise<K.TagsOutput> { return keyOps.listTags(this.#request, keyId); }
  tagKey(input: K.TagKeyInput): Promise<K.KeyMetadataOutput> { return keyOps.tagKey(this.#request, input); }
  untagKey(input: K.UntagKeyInput): Promise<K.KeyMetadataOutput> { return keyOps.untagKey(this.#request, input); }
  scheduleKeyDeletion(input: K.ScheduleKeyDeletionInput): Promise<K.KeyMetadataOutput> { return keyOps.scheduleKeyDeletion(this.#request, input); }
  cancelKeyDeletion(keyId: string): Promise<K.KeyMetadataOutput> { return keyOps.cancelKeyDeletion(this.#request, keyId); }
  rotateKey(keyId: string): Promise<K.KeyMetadataOutput> { return keyOps.rotateKey(this.#request, keyId); }
  listKeyRotations(keyId: string): Promise<K.ListKeyRotationsOutput> { return keyOps.listKeyRotations(this.#request, keyId); }
  getKeyRotationStatus(keyId: string): Promise<K.KeyRotationStatus> { return keyOps.getKeyRotationStatus(this.#request, keyId); }
  setKeyRotation(input: K.SetKeyRotationInput): Promise<K.KeyMetadataOutput> { return keyOps.setKeyRotation(this.#request, input); }
  setMinDecryptionVersion(input: K.SetMinDecryptionVersionInput): Promise<K.KeyMetadataOutput> { return keyOps.setMinDecryptionVersion(this.#request, input); }
  getPublicKey(keyId: string): Promise<K.PublicKeyOutput> { return keyOps.getPublicKey(this.#request, keyId); }

  // Cryptographic operations (data plane)
  encrypt(input: C.EncryptInput): Promise<C.EncryptOutput> { return cryptoOps.encrypt(this.#request, input); }
  /** With `keyId` the node checks the ciphertext was made under that key; without, the ciphertext names it. */
  decrypt(input: C.DecryptInput): Promise<C.DecryptOutput> { return cryptoOps.decrypt(this.#request, input); }
  reEncrypt(input: C.ReEncryptInput): Promise<C.ReEncryptOutput> { return cryptoOps.reEncrypt(this.#request, input); }
  generateDataKey(input: C.GenerateDataKeyInput): Promise<C.GenerateDataKeyOutput> { return cryptoOps.generateDataKey(this.#request, input); }
  generateDataKeyWithoutPlaintext(input: C.GenerateDataKeyInput): Promise<C.GenerateDataKeyWithoutPlaintextOutput> {
    return cryptoOps.generateDataKeyWithoutPlaintext(this.#request, input);
  }
  generateDataKeyPair(input: C.GenerateDataKeyPairInput): Promise<C.GenerateDataKeyPairOutput> { return cryptoOps.generateDataKeyPair(this.#request, input); }
  generateDataKeyPairWithoutPlaintext(input: C.GenerateDataKeyPairInput): Promise<C.GenerateDataKeyPairWithoutPlaintextOutput> {
    return cryptoOps.generateDataKeyPairWithoutPlaintext(this.#request, input);
  }
  sign(input: C.SignInput): Promise<C.SignOutput> { return cryptoOps.sign(this.#request, input); }
  /** Resolves only for a valid signature; an invalid one rejects with code KMSInvalidSignatureException. */
  verify(input: C.VerifyInput): Promise<C.VerifyOutput> { return cryptoOps.verify(this.#request, input); }
  generateMac(input: C.GenerateMacInput): Promise<C.GenerateMacOutput> { return cryptoOps.generateMac(this.#request, input); }
  /** Resolves only for a valid MAC; an invalid one rejects with code KMSInvalidMacException. */
  verifyMac(input: C.VerifyMacInput): Promise<C.VerifyMacOutput> { return cryptoOps.verifyMac(this.#request, input); }
  deriveSharedSecret(input: C.DeriveSharedSecretInput): Promise<C.DeriveSharedSecretOutput> { return cryptoOps.deriveSharedSecret(this.#request, input); }
  generateRandom(input: C.GenerateRandomInput): Promise<C.GenerateRandomOutput> { return cryptoOps.generateRandom(this.#request, input); }

  // Batch
  batchEncrypt(input: BatchEncryptInput): Promise<BatchEncryptOutput> { return batchOps.batchEncrypt(this.#request, input); }
  batchDecrypt(input: BatchDecryptInput): Promise<BatchDecryptOutput> { return batchOps.batchDecrypt(this.#request, input); }

  // Aliases
  createAlias(input: AliasTargetInput): Promise<AliasOutput> { return aliasOps.createAlias(this.#request, input); }
  listAliases(input?: ListAliasesInput): Promise<ListAliasesOutput> { return aliasOps.listAliases(this.#request, input); }

  /** Every alias (of one key, if `keyId` is given), following markers page by page. */
  aliases(input: { readonly keyId?: string; readonly limit?: number } = {}): AsyncGenerator<Alias, void, undefined> {
    return walkPages(async (marker) => {
      const page = await this.listAliases({ keyId: input.keyId, limit: input.limit, marker });
      return { items: page.aliases, nextMarker: page.nextMarker, truncated: page.truncated };
    }, '/v1/aliases');
  }

  updateAlias(input: AliasTargetInput): Promise<AliasOutput> { return aliasOps.updateAlias(this.#request, input); }
  deleteAlias(aliasName: string): Promise<void> { return aliasOps.deleteAlias(this.#request, aliasName); }

  // Tokens and identity
  createToken(input: CreateTokenInput): Promise<CreatedToken> { return tokenOps.createToken(this.#request, input); }
  listTokens(): Promise<ListTokensOutput> { return tokenOps.listTokens(this.#request); }
  revokeToken(tokenId: string): Promise<void> { return tokenOps.revokeToken(this.#request, tokenId); }
  whoami(): Promise<WhoAmIOutput> { return tokenOps.whoami(this.#request); }

  // Operations (open endpoints, sent without the token)
  health(): Promise<ProbeOutput> { return probeOps.health(this.#request); }
  ready(): Promise<ProbeOutput> { return probeOps.ready(this.#request); }
}
