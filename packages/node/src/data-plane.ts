/**
 * Data-plane operations: cryptography with keys this region holds. No call here writes anything
 * or touches the network; a region cut off from every other keeps serving all of them.
 */
import {
  DATA_KEY_PAIR_SPECS, KEY_SPEC_INFO, LIMITS, LatchkeyError, allowsDigestMessages, decodeCiphertext,
  type DataKeyPairSpec, type DataKeySpec, type EncryptionAlgorithm, type EncryptionContext, type KeyRecord, type KeyUsage,
  type MacAlgorithm, type MessageType, type SigningAlgorithm,
} from '@latchkey/core';
import {
  decryptRsaOaep, decryptSymmetric, deriveSharedSecret, encryptRsaOaep, encryptSymmetric, generateDataKeyPair, generateMac,
  publicKeyPem, randomBytes, sign, verify, verifyMac, type LoadedKey,
} from '@latchkey/crypto';
import type { KeyStore } from '@latchkey/storage';
import type { KeyDirectory } from './key-directory.ts';
import type { MaterialCache } from './material-cache.ts';

export interface Encrypted {
  readonly ciphertext: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly encryptionAlgorithm: EncryptionAlgorithm;
}

export interface Decrypted {
  readonly plaintext: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly encryptionAlgorithm: EncryptionAlgorithm;
}

export interface DataPlaneDeps {
  readonly region: string;
  readonly directory: KeyDirectory;
  readonly cache: MaterialCache;
  readonly store: KeyStore;
  /** In a replicated deployment a ciphertext may name a key or version not replicated here yet. */
  readonly replicated: boolean;
  /** Whether this region reached the stream recently and applied all of it (always true standalone). */
  readonly isCurrent?: () => boolean;
  /**
   * The version new output (ciphertexts, data keys, signatures, MACs, the public key) uses: in a
   * replicated region, the newest version the stream's quorum was seen holding (version-confirmer.ts).
   * Absent: the current version.
   */
  readonly servingVersion?: (record: KeyRecord) => number;
  /**
   * Told when a call names a key, or a version of a key, this region does not hold although the
   * stream may: the replicated change log looks it up (version-confirmer.ts, `lookUp`).
   */
  readonly lookUp?: (keyId: string) => void;
}

function usageError(record: KeyRecord, operation: string): LatchkeyError {
  return new LatchkeyError('InvalidKeyUsageException', `key ${record.keyId} (${record.keySpec}, ${record.keyUsage}) cannot ${operation}`);
}

function requireBytes(name: string, value: Uint8Array, min: number, max: number): void {
  if (value.length < min || value.length > max) throw new LatchkeyError('ValidationException', `${name} must be ${min} to ${max} bytes`);
}

export class DataPlane {
  readonly #deps: DataPlaneDeps;

  constructor(deps: DataPlaneDeps) {
    this.#deps = deps;
  }

  /**
   * A key or alias unknown here is NotFound only when this region is current with the stream;
   * a region behind it or cut off from it may simply not have heard of it yet (retry elsewhere).
   */
  #resolve(reference: string): KeyRecord {
    try {
      return this.#deps.directory.resolve(reference);
    } catch (error) {
      if (this.#deps.replicated && error instanceof LatchkeyError && error.code === 'NotFoundException') this.#deps.lookUp?.(reference);
      if (this.#deps.replicated && error instanceof LatchkeyError && error.code === 'NotFoundException' && !(this.#deps.isCurrent?.() ?? true)) {
        throw new LatchkeyError('KeyUnavailableException', `${reference} is not known in this region, which is behind the replication stream or cut off from it; retry or use another region`);
      }
      throw error;
    }
  }

  /** A key that may be used here: exists, enabled, pinned to this region, of the right usage. */
  usableKey(reference: string, usage: KeyUsage, operation: string): KeyRecord {
    const record = this.#resolve(reference);
    if (record.regions !== null && !record.regions.includes(this.#deps.region)) {
      throw new LatchkeyError(
        'KeyNotAllowedInRegionException',
        `key ${record.keyId} is pinned to regions [${record.regions.join(', ')}] by its region policy; this region is ${this.#deps.region}`,
      );
    }
    if (record.keyState === 'Disabled') throw new LatchkeyError('DisabledException', `key ${record.keyId} is disabled`);
    if (record.keyState === 'PendingDeletion') throw new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is pending deletion`);
    if (record.keyUsage !== usage) throw usageError(record, operation);
    return record;
  }

  #serving(record: KeyRecord): number {
    return this.#deps.servingVersion?.(record) ?? record.currentVersion;
  }

  #loaded(record: KeyRecord, keyVersion: number): LoadedKey | Promise<LoadedKey> {
    return this.#deps.cache.peek(record.keyId, keyVersion) ?? this.#deps.cache.get(record, keyVersion);
  }

  /** The key for new output under `record`, and its version. */
  async #forOutput(record: KeyRecord): Promise<{ key: LoadedKey; keyVersion: number }> {
    const keyVersion = this.#serving(record);
    return { key: await this.#loaded(record, keyVersion), keyVersion };
  }

  /**
   * Versions a signature, MAC or RSA ciphertext of this key may have been made under: the current
   * one, and this region's serving version while a newer current version is not confirmed here
   * (what this region itself signs with meanwhile).
   */
  #acceptedVersions(record: KeyRecord): number[] {
    let serving: number | null = null;
    try {
      serving = this.#serving(record);
    } catch {
      // No version confirmed here yet: only the current one.
    }
    return serving === null || serving === record.currentVersion ? [record.currentVersion] : [record.currentVersion, serving];
  }

  /** True once `check` passes with the key of one of the accepted versions (returns that version). */
  async #underAcceptedVersion(record: KeyRecord, check: (key: LoadedKey) => boolean): Promise<number | null> {
    for (const keyVersion of this.#acceptedVersions(record)) {
      if (check(await this.#loaded(record, keyVersion))) return keyVersion;
    }
    return null;
  }

  async encrypt(reference: string, plaintext: Uint8Array, context: EncryptionContext, algorithm: EncryptionAlgorithm = 'SYMMETRIC_DEFAULT'): Promise<Encrypted> {
    const record = this.usableKey(reference, 'ENCRYPT_DECRYPT', 'encrypt');
    this.#checkEncryptionAlgorithm(record, algorithm);
    const { key, keyVersion } = await this.#forOutput(record);
    if (algorithm === 'SYMMETRIC_DEFAULT') {
      requireBytes('plaintext', plaintext, 1, LIMITS.plaintextMaxBytes);
      const ciphertext = encryptSymmetric(key, record.keyId, keyVersion, plaintext, context);
      return { ciphertext, keyId: record.keyId, keyVersion, encryptionAlgorithm: algorithm };
    }
    if (Object.keys(context).length > 0) throw new LatchkeyError('ValidationException', 'encryptionContext is not supported with RSA encryption');
    requireBytes('plaintext', plaintext, 1, LIMITS.plaintextMaxBytes);
    return { ciphertext: encryptRsaOaep(key, algorithm, plaintext), keyId: record.keyId, keyVersion, encryptionAlgorithm: algorithm };
  }

  /**
   * Decrypts. With a symmetric ciphertext the key is named inside it; `expectedReference`, when
   * given, must name the same key (IncorrectKeyException otherwise). RSA ciphertexts need the key.
   */
  async decrypt(expectedReference: string | null, ciphertext: Uint8Array, context: EncryptionContext, algorithm: EncryptionAlgorithm = 'SYMMETRIC_DEFAULT'): Promise<Decrypted> {
    requireBytes('ciphertext', ciphertext, 1, LIMITS.ciphertextMaxBytes);
    if (algorithm !== 'SYMMETRIC_DEFAULT') return this.#decryptRsa(expectedReference, ciphertext, context, algorithm);
    const parts = decodeCiphertext(ciphertext);
    if (expectedReference !== null) {
      const expected = this.#resolve(expectedReference);
      if (expected.keyId !== parts.keyId) {
        throw new LatchkeyError('IncorrectKeyException', `the ciphertext was made under another key than ${expected.keyId}`);
      }
    }
    const record = this.#resolveCiphertextKey(parts.keyId);
    this.#checkEncryptionAlgorithm(record, algorithm);
    if (parts.keyVersion > record.currentVersion) {
      if (this.#deps.replicated) {
        this.#deps.lookUp?.(record.keyId);
        throw new LatchkeyError('KeyUnavailableException', `version ${parts.keyVersion} of key ${record.keyId} has not reached this region yet; retry or use another region`);
      }
      throw new LatchkeyError('InvalidCiphertextException', 'the ciphertext names a key version that does not exist');
    }
    const key = this.#deps.cache.peek(record.keyId, parts.keyVersion) ?? (await this.#deps.cache.get(record, parts.keyVersion));
    // Authenticate first, so that a forged or mis-contexted ciphertext is always InvalidCiphertext,
    // and only a genuine one under a retired version is reported as retired (its plaintext dropped).
    const plaintext = decryptSymmetric(key, ciphertext, context);
    if (parts.keyVersion < record.minDecryptionVersion) {
      plaintext.fill(0);
      throw new LatchkeyError(
        'KeyVersionRetiredException',
        `key ${record.keyId} version ${parts.keyVersion} is below the minimum decryption version ${record.minDecryptionVersion}`,
      );
    }
    return { plaintext, keyId: record.keyId, keyVersion: parts.keyVersion, encryptionAlgorithm: algorithm };
  }

  async #decryptRsa(reference: string | null, ciphertext: Uint8Array, context: EncryptionContext, algorithm: EncryptionAlgorithm): Promise<Decrypted> {
    if (reference === null) throw new LatchkeyError('ValidationException', 'keyId is required to decrypt an RSA ciphertext');
    if (Object.keys(context).length > 0) throw new LatchkeyError('ValidationException', 'encryptionContext is not supported with RSA encryption');
    const record = this.usableKey(reference, 'ENCRYPT_DECRYPT', 'decrypt');
    this.#checkEncryptionAlgorithm(record, algorithm);
    const versions = this.#acceptedVersions(record);
    for (const [i, keyVersion] of versions.entries()) {
      try {
        return { plaintext: decryptRsaOaep(await this.#loaded(record, keyVersion), algorithm, ciphertext), keyId: record.keyId, keyVersion, encryptionAlgorithm: algorithm };
      } catch (error) {
        if (i === versions.length - 1) throw error;
      }
    }
    throw new LatchkeyError('KMSInternalException', 'no key version to decrypt with');
  }

  #resolveCiphertextKey(keyId: string): KeyRecord {
    try {
      return this.usableKey(keyId, 'ENCRYPT_DECRYPT', 'decrypt');
    } catch (error) {
      // A ciphertext naming a key that never existed here is not a Latchkey ciphertext of ours.
      if (error instanceof LatchkeyError && error.code === 'NotFoundException' && !this.#deps.directory.getKey(keyId)) {
        if (this.#deps.replicated) {
          this.#deps.lookUp?.(keyId);
          throw new LatchkeyError('KeyUnavailableException', `key ${keyId} named by the ciphertext is not known in this region (not replicated here yet, or not ours)`);
        }
        throw new LatchkeyError('InvalidCiphertextException', 'the ciphertext names a key this service does not hold');
      }
      throw error;
    }
  }

  #checkEncryptionAlgorithm(record: KeyRecord, algorithm: EncryptionAlgorithm): void {
    if (!KEY_SPEC_INFO[record.keySpec].encryptionAlgorithms.includes(algorithm)) {
      throw new LatchkeyError('InvalidKeyUsageException', `encryption algorithm ${algorithm} is not valid for a ${record.keySpec} key`);
    }
  }

  async reEncrypt(input: {
    ciphertext: Uint8Array; sourceKeyId: string | null; sourceContext: EncryptionContext; sourceAlgorithm?: EncryptionAlgorithm;
    destinationKeyId: string; destinationContext: EncryptionContext; destinationAlgorithm?: EncryptionAlgorithm;
  }): Promise<{ ciphertext: Uint8Array; sourceKeyId: string; sourceKeyVersion: number; keyId: string; keyVersion: number }> {
    const destination = this.usableKey(input.destinationKeyId, 'ENCRYPT_DECRYPT', 'encrypt');
    const source = await this.decrypt(input.sourceKeyId, input.ciphertext, input.sourceContext, input.sourceAlgorithm);
    try {
      const out = await this.encrypt(destination.keyId, source.plaintext, input.destinationContext, input.destinationAlgorithm);
      return { ciphertext: out.ciphertext, sourceKeyId: source.keyId, sourceKeyVersion: source.keyVersion, keyId: out.keyId, keyVersion: out.keyVersion };
    } finally {
      source.plaintext.fill(0);
    }
  }

  async generateDataKey(reference: string, spec: { keySpec?: DataKeySpec; numberOfBytes?: number }, context: EncryptionContext): Promise<Encrypted & { plaintext: Uint8Array }> {
    if (spec.keySpec !== undefined && spec.numberOfBytes !== undefined) {
      throw new LatchkeyError('ValidationException', 'give keySpec or numberOfBytes, not both');
    }
    const length = spec.numberOfBytes ?? (spec.keySpec === 'AES_128' ? 16 : 32);
    if (!Number.isInteger(length) || length < 1 || length > LIMITS.dataKeyMaxBytes) {
      throw new LatchkeyError('ValidationException', `numberOfBytes must be an integer from 1 to ${LIMITS.dataKeyMaxBytes}`);
    }
    const record = this.usableKey(reference, 'ENCRYPT_DECRYPT', 'generate data keys');
    if (record.keySpec !== 'SYMMETRIC_DEFAULT') throw usageError(record, 'generate data keys (a SYMMETRIC_DEFAULT key is required)');
    const plaintext = randomBytes(length);
    const encrypted = await this.encrypt(record.keyId, plaintext, context);
    return { ...encrypted, plaintext };
  }

  async generateDataKeyPair(reference: string, keyPairSpec: DataKeyPairSpec, context: EncryptionContext): Promise<{
    privateKeyCiphertext: Uint8Array; privateKeyPlaintext: Uint8Array; publicKey: Uint8Array; keyId: string; keyVersion: number;
  }> {
    if (!DATA_KEY_PAIR_SPECS.includes(keyPairSpec)) throw new LatchkeyError('ValidationException', `keyPairSpec ${String(keyPairSpec)} is not supported`);
    const record = this.usableKey(reference, 'ENCRYPT_DECRYPT', 'generate data key pairs');
    if (record.keySpec !== 'SYMMETRIC_DEFAULT') throw usageError(record, 'generate data key pairs (a SYMMETRIC_DEFAULT key is required)');
    const pair = generateDataKeyPair(keyPairSpec);
    const encrypted = await this.encrypt(record.keyId, pair.privateKey, context);
    return { privateKeyCiphertext: encrypted.ciphertext, privateKeyPlaintext: pair.privateKey, publicKey: pair.publicKey, keyId: record.keyId, keyVersion: encrypted.keyVersion };
  }

  async sign(reference: string, message: Uint8Array, messageType: MessageType, algorithm: SigningAlgorithm): Promise<{ signature: Uint8Array; keyId: string }> {
    const record = this.#signingKey(reference, algorithm, messageType, message, 'sign');
    const { key } = await this.#forOutput(record);
    return { signature: sign(key, algorithm, message, messageType), keyId: record.keyId };
  }

  async verify(reference: string, message: Uint8Array, messageType: MessageType, algorithm: SigningAlgorithm, signature: Uint8Array): Promise<{ keyId: string }> {
    const record = this.#signingKey(reference, algorithm, messageType, message, 'verify');
    requireBytes('signature', signature, 1, 8192);
    if ((await this.#underAcceptedVersion(record, (key) => verify(key, algorithm, message, messageType, signature))) === null) {
      throw new LatchkeyError('KMSInvalidSignatureException', 'the signature is not valid for this key, message and algorithm');
    }
    return { keyId: record.keyId };
  }

  #signingKey(reference: string, algorithm: SigningAlgorithm, messageType: MessageType, message: Uint8Array, operation: string): KeyRecord {
    const record = this.usableKey(reference, 'SIGN_VERIFY', operation);
    if (!KEY_SPEC_INFO[record.keySpec].signingAlgorithms.includes(algorithm)) {
      throw new LatchkeyError('InvalidKeyUsageException', `signing algorithm ${algorithm} is not valid for a ${record.keySpec} key; valid: ${KEY_SPEC_INFO[record.keySpec].signingAlgorithms.join(', ')}`);
    }
    if (messageType === 'DIGEST' && !allowsDigestMessages(algorithm)) {
      throw new LatchkeyError('ValidationException', `${algorithm} signs RAW messages only`);
    }
    requireBytes('message', message, 1, LIMITS.signMessageMaxBytes);
    return record;
  }

  async generateMac(reference: string, message: Uint8Array, algorithm: MacAlgorithm): Promise<{ mac: Uint8Array; keyId: string }> {
    const record = this.#macKey(reference, algorithm, message, 'generate MACs');
    const { key } = await this.#forOutput(record);
    return { mac: generateMac(key, algorithm, message), keyId: record.keyId };
  }

  async verifyMac(reference: string, message: Uint8Array, algorithm: MacAlgorithm, mac: Uint8Array): Promise<{ keyId: string }> {
    const record = this.#macKey(reference, algorithm, message, 'verify MACs');
    if ((await this.#underAcceptedVersion(record, (key) => verifyMac(key, algorithm, message, mac))) === null) throw new LatchkeyError('KMSInvalidMacException', 'the MAC is not valid for this key, message and algorithm');
    return { keyId: record.keyId };
  }

  #macKey(reference: string, algorithm: MacAlgorithm, message: Uint8Array, operation: string): KeyRecord {
    const record = this.usableKey(reference, 'GENERATE_VERIFY_MAC', operation);
    if (!KEY_SPEC_INFO[record.keySpec].macAlgorithms.includes(algorithm)) {
      throw new LatchkeyError('InvalidKeyUsageException', `MAC algorithm ${algorithm} is not valid for a ${record.keySpec} key`);
    }
    requireBytes('message', message, 1, LIMITS.macMessageMaxBytes);
    return record;
  }

  async deriveSharedSecret(reference: string, peerPublicKey: Uint8Array): Promise<{ sharedSecret: Uint8Array; keyId: string }> {
    const record = this.usableKey(reference, 'KEY_AGREEMENT', 'derive shared secrets');
    requireBytes('publicKey', peerPublicKey, 1, 8192);
    const { key } = await this.#forOutput(record);
    return { sharedSecret: deriveSharedSecret(key, peerPublicKey), keyId: record.keyId };
  }

  async getPublicKey(reference: string): Promise<{ record: KeyRecord; publicKey: Uint8Array; publicKeyPem: string }> {
    const record = this.#resolve(reference);
    if (KEY_SPEC_INFO[record.keySpec].family === 'aes' || KEY_SPEC_INFO[record.keySpec].family === 'hmac') {
      throw new LatchkeyError('UnsupportedOperationException', `key ${record.keyId} is symmetric and has no public key`);
    }
    this.usableKey(reference, record.keyUsage, 'get its public key');
    // The public key handed out is the serving version's: what callers encrypt to or verify with
    // must be what every region holds.
    const material = await this.#deps.store.getMaterial(record.keyId, this.#serving(record));
    if (!material?.publicKey) throw new LatchkeyError('KMSInternalException', `public key of ${record.keyId} is missing`);
    return { record, publicKey: material.publicKey, publicKeyPem: publicKeyPem(material.publicKey) };
  }

  generateRandom(numberOfBytes: number): Uint8Array {
    if (!Number.isInteger(numberOfBytes) || numberOfBytes < 1 || numberOfBytes > LIMITS.randomMaxBytes) {
      throw new LatchkeyError('ValidationException', `numberOfBytes must be an integer from 1 to ${LIMITS.randomMaxBytes}`);
    }
    return randomBytes(numberOfBytes);
  }
}
