/**
 * Each region's starting keys for a drill: one symmetric key for every region, one pinned to the
 * region and its neighbour, one ECDSA signing key. Created through the SDK and waited for in every
 * region they may live in, so that the load never starts on a key another region has not heard of.
 */
import type { LatchkeyClient } from '@latchkey/client';
import type { Manifest } from '../../cluster/manifest.ts';
import { sleep } from '../../cluster/processes.ts';
import { ChaosError } from '../lib/chaos-error.ts';
import { getJson } from './http-json.ts';

/** A region's symmetric keys, growing as its control-plane worker creates more. */
export interface RegionKeys {
  readonly signingKeyId: string;
  symmetric(): readonly string[];
  add(keyId: string): void;
}

export interface SeedKeys {
  readonly home: string;
  readonly keys: RegionKeys;
  readonly policies: ReadonlyMap<string, readonly string[] | null>;
}

function regionKeys(signingKeyId: string, initial: string[]): RegionKeys {
  const symmetric = [...initial];
  return { signingKeyId, symmetric: () => symmetric, add: (keyId) => void symmetric.push(keyId) };
}

async function waitReplicated(manifest: Manifest, keyId: string, regions: readonly string[] | null, timeoutMs = 30_000): Promise<void> {
  const where = manifest.regions.filter((r) => regions === null || regions.includes(r.name));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(where.map((r) => getJson(`${r.url}/v1/keys/${keyId}`, manifest.adminToken)));
    if (answers.every((a) => a.status === 200)) return;
    if (Date.now() > deadline) throw new ChaosError(`seed key ${keyId} did not reach every region within ${timeoutMs / 1000} s; is the cluster healthy? (pnpm cluster:status)`);
    await sleep(200);
  }
}

export async function createSeedKeys(manifest: Manifest, runId: string, clientFor: (home: string) => LatchkeyClient): Promise<SeedKeys[]> {
  const names = manifest.regions.map((r) => r.name);
  return Promise.all(names.map(async (home, i) => {
    const client = clientFor(home);
    const pinned = [home, names[(i + 1) % names.length]!];
    const everywhere = await client.createKey({ idempotencyKey: `drill-${runId}-${home}-seed-all`, description: `drill ${runId} seed` });
    const local = await client.createKey({ idempotencyKey: `drill-${runId}-${home}-seed-pinned`, description: `drill ${runId} seed`, regions: pinned });
    const signing = await client.createKey({ idempotencyKey: `drill-${runId}-${home}-seed-sign`, keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
    const created = [everywhere, local, signing].map((o) => o.keyMetadata);
    await Promise.all(created.map((k) => waitReplicated(manifest, k.keyId, k.regions)));
    return {
      home,
      keys: regionKeys(signing.keyMetadata.keyId, [everywhere.keyMetadata.keyId, local.keyMetadata.keyId]),
      policies: new Map(created.filter((k) => k.keyUsage === 'ENCRYPT_DECRYPT').map((k) => [k.keyId, k.regions])),
    };
  }));
}
