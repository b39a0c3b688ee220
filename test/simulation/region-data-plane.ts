/**
 * The data plane of a region: encrypt and decrypt from the local store only, so it keeps working
 * with no stream and no peers (design invariant 4). A "ciphertext" names its key, version and the
 * material that sealed it; decryption succeeds only where that exact material is held, so a region
 * that holds a different secret under the same version number fails loudly. New output uses the
 * key's serving version (the core's `servingVersion`: the newest version the stream's quorum was
 * seen holding with this region's secret, see sim-confirmer.ts), else answers KeyUnavailable;
 * decryption is not gated. A call naming a key this region does not know, or a ciphertext under a
 * version above the key's current one, asks for the key to be looked up (`lookUp`, the node's
 * data plane in a replicated region): decrypt answers KeyUnavailable then (retryable); encrypt
 * answers NotFound (the node answers KeyUnavailable instead while it is behind the stream).
 */
import { LatchkeyError, allowedRegions, servingVersion } from '@latchkey/core';
import type { LocalKey, RegionStore } from './region-store.ts';

export interface SimCiphertext {
  readonly ciphertextId: string;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly sealedWith: string;
  readonly plaintext: string;
  readonly encryptedIn: string;
}

/** Told when a call names a key, or a version of a key, that this region does not hold. */
export type LookUp = (keyId: string) => void;

function usableKey(store: RegionStore, region: string, deployment: readonly string[], keyId: string, lookUp: LookUp): LocalKey {
  const local = store.keys.get(keyId);
  if (local === undefined || local.record.keyState === 'Destroyed') {
    lookUp(keyId);
    throw new LatchkeyError('NotFoundException', `key ${keyId} does not exist in ${region}`);
  }
  const allowed = allowedRegions(local.record, deployment);
  if (!allowed.includes(region)) {
    throw new LatchkeyError('KeyNotAllowedInRegionException', `key ${keyId} is pinned to ${allowed.join(', ')}; ${region} may not use it`);
  }
  if (local.record.keyState === 'Disabled') throw new LatchkeyError('DisabledException', `key ${keyId} is disabled`);
  if (local.record.keyState === 'PendingDeletion') throw new LatchkeyError('KMSInvalidStateException', `key ${keyId} is pending deletion`);
  return local;
}

export function encryptLocally(
  store: RegionStore, region: string, deployment: readonly string[], keyId: string, plaintext: string, ciphertextId: string, lookUp: LookUp,
): SimCiphertext {
  const local = usableKey(store, region, deployment, keyId, lookUp);
  const keyVersion = servingVersion(local.record, store.confirmed.get(keyId) ?? 0);
  if (keyVersion === null) {
    throw new LatchkeyError('KeyUnavailableException', `${keyId} v${local.record.currentVersion} is not yet confirmed by the stream's quorum in ${region}`);
  }
  const material = local.material.get(keyVersion);
  if (material === undefined) throw new LatchkeyError('KMSInternalException', `${region} holds no material for ${keyId} v${keyVersion}`);
  return { ciphertextId, keyId, keyVersion, sealedWith: material.materialId, plaintext, encryptedIn: region };
}

export function decryptLocally(store: RegionStore, region: string, deployment: readonly string[], ciphertext: SimCiphertext, lookUp: LookUp): string {
  if (!store.keys.has(ciphertext.keyId)) {
    lookUp(ciphertext.keyId);
    throw new LatchkeyError('KeyUnavailableException', `key ${ciphertext.keyId} named by the ciphertext is not known in ${region}`);
  }
  const local = usableKey(store, region, deployment, ciphertext.keyId, lookUp);
  const { keyVersion } = ciphertext;
  if (keyVersion > local.record.currentVersion) {
    lookUp(local.record.keyId);
    throw new LatchkeyError('KeyUnavailableException', `${region} does not know ${ciphertext.keyId} v${keyVersion} yet`);
  }
  if (keyVersion < local.record.minDecryptionVersion) {
    throw new LatchkeyError('KeyVersionRetiredException', `v${keyVersion} is below the minimum decryption version`);
  }
  const material = local.material.get(keyVersion);
  if (material === undefined) throw new LatchkeyError('KMSInternalException', `${region} holds no material for ${ciphertext.keyId} v${keyVersion}`);
  if (material.materialId !== ciphertext.sealedWith) throw new LatchkeyError('InvalidCiphertextException', 'the ciphertext does not authenticate');
  return ciphertext.plaintext;
}
