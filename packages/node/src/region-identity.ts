/**
 * The region's identity: its X25519 transport key pair (other regions wrap material for it) and
 * Ed25519 signing key pair (it signs the changes it publishes). Both are DERIVED from the root key
 * and the region name, so nothing about them is stored: a region that loses its store but keeps
 * its root key comes back with the same identity and can rebuild from the stream.
 */
import type { KeyObject } from 'node:crypto';
import { privateKeyOf, regionIdentityFromSeeds, type RootKey } from '@latchkey/crypto';

export interface RegionIdentity {
  readonly region: string;
  readonly transportPrivate: KeyObject;
  readonly signingPrivate: KeyObject;
  readonly transportPublicKey: Uint8Array;
  readonly signingPublicKey: Uint8Array;
}

export function deriveRegionIdentity(rootKey: RootKey, region: string): RegionIdentity {
  const transportSeed = rootKey.derive(`region-identity/${region}/transport`);
  const signingSeed = rootKey.derive(`region-identity/${region}/signing`);
  const material = regionIdentityFromSeeds(transportSeed, signingSeed);
  transportSeed.fill(0);
  signingSeed.fill(0);
  const identity: RegionIdentity = {
    region,
    transportPrivate: privateKeyOf(material.transportPrivateKey),
    signingPrivate: privateKeyOf(material.signingPrivateKey),
    transportPublicKey: material.transportPublicKey,
    signingPublicKey: material.signingPublicKey,
  };
  material.transportPrivateKey.fill(0);
  material.signingPrivateKey.fill(0);
  return identity;
}
