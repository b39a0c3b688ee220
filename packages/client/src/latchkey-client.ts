/**
 * LatchkeyClient: one typed method per operation of docs/api.md, plus envelope encryption. Every
 * method goes through one Requester, the region router, which picks the region, fails over and
 * retries what is safe; the methods themselves only describe requests and decode answers (see the
 * *-operations.ts files), and the envelope methods build on generateDataKey and decrypt.
 */
import { cacheLimitsOf, routerOptionsOf, type LatchkeyClientOptions, type RegionalOptions } from './client-options.ts';
import { ClientCounters, eventSink } from './client-events.ts';
import { invalidOption } from './client-error.ts';
import { DataKeySource } from './envelope/data-key-source.ts';
import { decryptEnvelope, encryptEnvelope } from './envelope/envelope-buffer.ts';
import { EnvelopeDecryptStream, EnvelopeEncryptStream } from './envelope/envelope-streams.ts';
import { newMessageId } from './envelope/message-ids.ts';
import { walkPages } from './pages.ts';
import { readManifestRegions } from './routing/region-list.ts';
import { RegionRouter } from './routing/region-router.ts';
import * as aliasOps from './alias-operations.ts';
import * as batchOps from './batch-operations.ts';
import * as cryptoOps from './crypto-operations.ts';
import * as keyOps from './key-operations.ts';
import * as probeOps from './probe-operations.ts';
import * as tokenOps from './token-operations.ts';
import type { Requester } from './api-request.ts';
import type { EnvelopeDecryptOptions, EnvelopeDecryptOutput, EnvelopeEncryptOptions, EnvelopeStreamOptions } from './envelope/envelope-types.ts';
import type { Alias, AliasOutput, AliasTargetInput, ListAliasesInput, ListAliasesOutput } from './alias-operations.ts';
import type { BatchDecryptInput, BatchDecryptOutput, BatchEncryptInput, BatchEncryptOutput } from './batch-operations.ts';
import type * as C from './crypto-types.ts';
import type * as K from './key-types.ts';
import type { ProbeOutput } from './probe-operations.ts';
import type { CreatedToken, CreateTokenInput, ListTokensOutput, WhoAmIOutput } from './token-operations.ts';

/** fromManifest's options: the manifest gives regions (and the admin token, unless another is given). */
export type ManifestClientOptions = Omit<RegionalOptions, 'regions' | 'token'> & { readonly token?: string };

export class LatchkeyClient {
  readonly #router: RegionRouter;
  readonly #request: Requester;
  readonly #dataKeys: DataKeySource;
  readonly #homeRegion: string;
  /** Counts of calls (by operation, region, outcome), retries, failovers and cache hits and misses. */
  readonly counters = new ClientCounters();

  constructor(options: LatchkeyClientOptions) {
    const emit = eventSink(this.counters, options.onEvent);
    const routerOptions = routerOptionsOf(options, emit);
    const cacheLimits = cacheLimitsOf(options);
    this.#router = new RegionRouter(routerOptions);
    this.#request = this.#router.request;
    this.#homeRegion = routerOptions.homeRegion;
    this.#dataKeys = new DataKeySource(this, cacheLimits, routerOptions.ports.nowMs, emit);
  }

  /** A client of the cluster `pnpm cluster:up` started: regions from `<base>/manifest.json`, its admin token by default. */
  static async fromManifest(manifestPath: string, options: ManifestClientOptions): Promise<LatchkeyClient> {
    const manifest = await readManifestRegions(manifestPath);
    const token = options.token ?? manifest.adminToken;
    if (token === null) throw invalidOption(`the manifest ${manifestPath} holds no adminToken; pass a token`);
    return new LatchkeyClient({ ...options, regions: manifest.regions, token });
  }

  /** Stops background health probes. Calls still work; only the return to a recovered region then waits for a trial call. */
  close(): void {
    this.#router.close();
  }

  /** Which regions the client currently considers healthy. */
  regionHealth(): Record<string, boolean> {
    return this.#router.health();
  }

  /** The region policy the client has seen for a key: undefined when unknown, null for every region. */
  knownKeyRegions(keyId: string): readonly string[] | null | undefined {
    const regions = this.#router.keyRegions.regionsOf(keyId);
    return regions === undefined || regions === null ? regions : [...regions];
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
  /** With an idempotency key it is retried (and failed over) safely; without, an unknown outcome is reported as indeterminate. */
  rotateKey(keyId: string, input?: K.RotateKeyInput): Promise<K.KeyMetadataOutput> { return keyOps.rotateKey(this.#request, keyId, input); }
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

  // Envelope encryption (docs/envelope-format.md), with data keys from generateDataKey through the cache

  /** Encrypts a buffer into a self-describing message that decryptEnvelope (or any region allowed for the key) can open. */
  encryptEnvelope(keyId: string, plaintext: Uint8Array, options: EnvelopeEncryptOptions = {}): Promise<Uint8Array> {
    return encryptEnvelope(this.#dataKeys, keyId, plaintext, options, newMessageId);
  }

  /** Decrypts a message of encryptEnvelope or createEncryptStream; any change to it fails with InvalidCiphertextException. */
  decryptEnvelope(message: Uint8Array, options: EnvelopeDecryptOptions = {}): Promise<EnvelopeDecryptOutput> {
    return decryptEnvelope(this.#dataKeys, message, options);
  }

  /** A Transform: plaintext in, envelope message out. */
  createEncryptStream(keyId: string, options: EnvelopeStreamOptions = {}): EnvelopeEncryptStream {
    return new EnvelopeEncryptStream(this.#dataKeys, keyId, options, newMessageId);
  }

  /** A Transform: envelope message in, plaintext out, each frame only after it authenticated; errors if the message is cut short. */
  createDecryptStream(options: EnvelopeDecryptOptions = {}): EnvelopeDecryptStream {
    return new EnvelopeDecryptStream(this.#dataKeys, options);
  }

  /** Drops (and zeroes) every cached data key, say after a key was disabled or rotated for compromise. */
  clearDataKeyCache(): void {
    this.#dataKeys.clear();
  }

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

  // Operations (open endpoints, sent without the token), about one region: the home region unless named
  health(region?: string): Promise<ProbeOutput> { return probeOps.health(this.#router.requesterFor(region ?? this.#homeRegion)); }
  ready(region?: string): Promise<ProbeOutput> { return probeOps.ready(this.#router.requesterFor(region ?? this.#homeRegion)); }
}
