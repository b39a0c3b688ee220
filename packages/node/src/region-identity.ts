/**
 * The region's identity: its X25519 transport key pair (other regions wrap material for it) and
 * Ed25519 signing key pair (it signs the changes it publishes). Created on first start; the
 * private halves are stored wrapped under the root key in the store, never in the clear.
 */
import type { KeyObject } from 'node:crypto';
import { generateRegionIdentity, privateKeyOf, type RootKey } from '@latchkey/crypto';
import type { KeyStore } from '@latchkey/storage';

export interface RegionIdentity {
  readonly region: string;
  readonly transportPrivate: KeyObject;
  readonly signingPrivate: KeyObject;
  readonly transportPublicKey: Uint8Array;
  readonly signingPublicKey: Uint8Array;
}

interface StoredIdentity {
  readonly region: string;
  readonly transportPrivateWrapped: Uint8Array;
  readonly signingPrivateWrapped: Uint8Array;
  readonly transportPublicKey: Uint8Array;
  readonly signingPublicKey: Uint8Array;
}

const META_NAME = 'region/identity';
const aad = (region: string, part: string): Uint8Array => Buffer.from(`latchkey/identity/v1/${region}/${part}`);

export async function loadOrCreateRegionIdentity(store: KeyStore, rootKey: RootKey, region: string): Promise<{ identity: RegionIdentity; created: boolean }> {
  let stored = await store.getMeta<StoredIdentity>(META_NAME);
  let created = false;
  if (!stored) {
    const fresh = generateRegionIdentity();
    stored = {
      region,
      transportPrivateWrapped: rootKey.wrap(fresh.transportPrivateKey, aad(region, 'transport')),
      signingPrivateWrapped: rootKey.wrap(fresh.signingPrivateKey, aad(region, 'signing')),
      transportPublicKey: fresh.transportPublicKey,
      signingPublicKey: fresh.signingPublicKey,
    };
    await store.commit({ putMeta: { [META_NAME]: stored } });
    created = true;
  }
  const transportPrivate = rootKey.unwrap(stored.transportPrivateWrapped, aad(stored.region, 'transport'));
  const signingPrivate = rootKey.unwrap(stored.signingPrivateWrapped, aad(stored.region, 'signing'));
  const identity: RegionIdentity = {
    region: stored.region,
    transportPrivate: privateKeyOf(transportPrivate),
    signingPrivate: privateKeyOf(signingPrivate),
    transportPublicKey: stored.transportPublicKey,
    signingPublicKey: stored.signingPublicKey,
  };
  transportPrivate.fill(0);
  signingPrivate.fill(0);
  return { identity, created };
}
