/**
 * `<base>/cluster.json`: the region public keys every node trusts, and the stream's replica count.
 * This file is how region keys are pinned: nodes trust only the region keys listed here, so a
 * process that can publish on NATS still cannot enrol a fake region and receive key material.
 * It holds public keys only, hence 0644.
 */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ClusterError } from './cluster-error.ts';
import { writeFileAtomic } from './manifest.ts';

export interface RegionIdentity {
  readonly region: string;
  /** Base64 DER SPKI of an X25519 key: material for this region is wrapped to it. */
  readonly transportPublicKey: string;
  /** Base64 DER SPKI of an Ed25519 key: this region's changes are signed with it. */
  readonly signingPublicKey: string;
}

export interface ClusterFile {
  readonly regions: Readonly<Record<string, { readonly transportPublicKey: string; readonly signingPublicKey: string }>>;
  readonly streamReplicas: number;
}

/** JetStream replicas: one per region up to 3 (R3 survives the loss of one server; more buys little). */
export const streamReplicasFor = (regionCount: number): number => Math.min(3, regionCount);

function checkKey(region: string, field: string, value: unknown, type: 'x25519' | 'ed25519'): string {
  if (typeof value !== 'string' || value === '') throw new ClusterError(`node init for ${region}: ${field} is missing`);
  let actual: string | undefined;
  try {
    actual = createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType;
  } catch (error) {
    throw new ClusterError(`node init for ${region}: ${field} is not a base64 DER SPKI public key (${(error as Error).message})`);
  }
  if (actual !== type) throw new ClusterError(`node init for ${region}: ${field} is a ${String(actual)} key, expected ${type}`);
  return value;
}

/**
 * The identity line that `main.ts init` prints. Takes the last JSON-looking line of stdout, so that
 * a stray warning before it does no harm, and checks that both keys are what they claim to be.
 */
export function parseInitOutput(region: string, stdout: string): RegionIdentity {
  const line = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new ClusterError(`node init for ${region} printed no JSON line; stdout was: ${JSON.stringify(stdout.slice(0, 500))}`);
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    throw new ClusterError(`node init for ${region} printed invalid JSON (${(error as Error).message}): ${line.slice(0, 500)}`);
  }
  if (data.region !== region) throw new ClusterError(`node init for ${region} answered for region ${JSON.stringify(data.region)}`);
  return {
    region,
    transportPublicKey: checkKey(region, 'transportPublicKey', data.transportPublicKey, 'x25519'),
    signingPublicKey: checkKey(region, 'signingPublicKey', data.signingPublicKey, 'ed25519'),
  };
}

/** Region order is kept: the first region is the one whose admin token bootstraps the cluster. */
export function buildClusterFile(identities: readonly RegionIdentity[]): ClusterFile {
  const regions: Record<string, { transportPublicKey: string; signingPublicKey: string }> = {};
  for (const id of identities) regions[id.region] = { transportPublicKey: id.transportPublicKey, signingPublicKey: id.signingPublicKey };
  return { regions, streamReplicas: streamReplicasFor(identities.length) };
}

export async function writeClusterFile(path: string, file: ClusterFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o644);
}

/** The cluster file of an earlier run at this base, or null; used to refuse a different region set on old data. */
export async function readClusterFileIfAny(path: string): Promise<ClusterFile | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ClusterFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ClusterError(`${path} is unreadable (${(error as Error).message}); remove it or run pnpm cluster:down --purge`);
  }
}
