/**
 * The deployment's pinned region keys: which regions exist and the transport and signing public
 * keys of each. Only keys in this file are trusted, so whoever can publish on NATS cannot enrol a
 * fake region. A standalone node pins itself.
 */
import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { LatchkeyError, validateRegionName } from '@latchkey/core';
import { signingPublicKeyOf, transportPublicKeyOf } from '@latchkey/crypto';
import type { RegionIdentity } from './region-identity.ts';

export interface PinnedRegion {
  readonly name: string;
  readonly transportPublicKey: Uint8Array;
  readonly transport: KeyObject;
  readonly signing: KeyObject;
}

export interface ClusterConfig {
  readonly regions: ReadonlyMap<string, PinnedRegion>;
  readonly regionNames: readonly string[];
  readonly streamReplicas: number;
}

function pin(name: string, transportPublicKey: Uint8Array, signingPublicKey: Uint8Array): PinnedRegion {
  return { name, transportPublicKey, transport: transportPublicKeyOf(transportPublicKey), signing: signingPublicKeyOf(signingPublicKey) };
}

function build(pins: PinnedRegion[], streamReplicas: number): ClusterConfig {
  const regions = new Map(pins.map((p) => [p.name, p]));
  return { regions, regionNames: [...regions.keys()].sort(), streamReplicas };
}

export function standaloneCluster(identity: RegionIdentity): ClusterConfig {
  return build([pin(identity.region, identity.transportPublicKey, identity.signingPublicKey)], 1);
}

function configError(path: string, why: string): LatchkeyError {
  return new LatchkeyError('ValidationException', `invalid configuration LATCHKEY_CLUSTER_FILE (${path}): ${why}`);
}

export async function readClusterFile(path: string, identity: RegionIdentity): Promise<ClusterConfig> {
  let parsed: { regions?: Record<string, { transportPublicKey?: string; signingPublicKey?: string }>; streamReplicas?: number };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw configError(path, `cannot read it as JSON (${(cause as Error).message})`);
  }
  const entries = Object.entries(parsed.regions ?? {});
  if (entries.length === 0) throw configError(path, 'it names no regions');
  const pins = entries.map(([name, keys]) => {
    validateRegionName(name);
    if (!keys.transportPublicKey || !keys.signingPublicKey) throw configError(path, `region ${name} lacks transportPublicKey or signingPublicKey`);
    return pin(name, Buffer.from(keys.transportPublicKey, 'base64'), Buffer.from(keys.signingPublicKey, 'base64'));
  });
  const own = pins.find((p) => p.name === identity.region);
  if (!own) throw configError(path, `it does not name this node's region ${identity.region}`);
  if (!Buffer.from(own.transportPublicKey).equals(Buffer.from(identity.transportPublicKey))) {
    throw configError(path, `it pins another transport key for region ${identity.region} than this node's data folder holds`);
  }
  const replicas = parsed.streamReplicas ?? Math.min(3, pins.length);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw configError(path, 'streamReplicas must be 1 to 5');
  return build(pins, replicas);
}
