/**
 * Compares the secret a region holds for a key version (wrapped under its root key) with the one a
 * replicated change carries for it (wrapped under its transport key). Wrapped bytes may differ for
 * the same secret (a re-wrap), so only the secrets say whether two versions are the same. Both
 * secrets are zeroed at once; neither is ever logged.
 */
import { timingSafeEqual } from 'node:crypto';
import { materialAad } from '@latchkey/core';
import { transportAad, unwrapForRegion, type RootKey } from '@latchkey/crypto';
import type { KeyStore } from '@latchkey/storage';
import type { RegionIdentity } from './region-identity.ts';

export interface HeldSecretDeps {
  readonly identity: RegionIdentity;
  readonly rootKey: RootKey;
  readonly store: KeyStore;
}

/** True or false; null when nothing is held for the version or either secret does not unwrap. */
export async function sameAsHeldSecret(deps: HeldSecretDeps, keyId: string, keyVersion: number, wrappedForRegion: Uint8Array): Promise<boolean | null> {
  const held = await deps.store.getMaterial(keyId, keyVersion);
  if (!held) return null;
  let incoming: Uint8Array | null = null;
  let local: Uint8Array | null = null;
  try {
    incoming = unwrapForRegion(deps.identity.transportPrivate, wrappedForRegion, transportAad(keyId, keyVersion, deps.identity.region));
    local = deps.rootKey.unwrap(held.wrapped, materialAad(keyId, keyVersion));
    return incoming.length === local.length && timingSafeEqual(incoming, local);
  } catch {
    return null;
  } finally {
    incoming?.fill(0);
    local?.fill(0);
  }
}
