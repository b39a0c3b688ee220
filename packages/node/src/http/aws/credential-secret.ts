/**
 * Making AWS credentials: an access key id (public, upper-case like AWS's, prefixed LKIA so that
 * nobody mistakes it for a real AWS key) and a 40-character secret access key, and wrapping that
 * secret once for every region of the deployment under the region's pinned transport key.
 */
import { randomBytes } from 'node:crypto';
import { LatchkeyError, credentialTransportAad } from '@latchkey/core';
import { wrapForRegion } from '@latchkey/crypto';
import type { ClusterConfig } from '../../cluster-config.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newAccessKeyId(): string {
  // 256 is a multiple of 32, so `byte & 31` picks every letter with the same probability.
  return 'LKIA' + [...randomBytes(16)].map((byte) => BASE32[byte & 31]).join('');
}

/** 30 random bytes as 40 base64 characters: the length and alphabet of an AWS secret access key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

export function wrapSecretForRegions(cluster: ClusterConfig, accessKeyId: string, secret: Uint8Array): Record<string, Uint8Array> {
  const wrapped: Record<string, Uint8Array> = {};
  for (const region of cluster.regionNames) {
    const pinned = cluster.regions.get(region);
    if (!pinned) throw new LatchkeyError('KMSInternalException', `region ${region} has no pinned transport key`);
    wrapped[region] = wrapForRegion(pinned.transport, secret, credentialTransportAad(accessKeyId, region));
  }
  return wrapped;
}
