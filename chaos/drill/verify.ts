/**
 * The checks after heal, with the shared checkers of test/checkers (the same ones the simulation
 * uses): the drill only turns what it saw into their plain inputs.
 *
 * - decryptable-everywhere: every acknowledged ciphertext is decrypted again in every region (batch
 *   decrypt, one region at a time, no failover) and must decrypt to its plaintext wherever its key
 *   may live, and nowhere else.
 * - no-lost-versions: every acknowledged key version (create, rotate) must still be in every allowed
 *   region. A region's view of a key comes from its `GET /v1/keys/{id}`; the API does not expose a
 *   region's material directly, so a version counts as held there when the region's record lists it
 *   and, if the drill has ciphertexts of that version, at least one of them decrypted there. The
 *   API has no revision either, so the current version stands in for it (the drill only creates and
 *   rotates, which both move it).
 * - convergence: every region's digest of every key agrees, and so do the overall digests.
 */
import { createHash } from 'node:crypto';
import {
  checkConvergence, checkDecryptableEverywhere, checkNoLostVersions, latestViews, violationsResult,
  type CheckResult, type DecryptAttempt, type KeyView, type RegionSnapshot,
} from '../../test/checkers/index.ts';
import type { Manifest } from '../../cluster/manifest.ts';
import type { RegionDigest } from './converge.ts';
import type { LoadResult } from './drill-types.ts';
import { getJson, requestJson } from './http-json.ts';

export interface Verification {
  readonly results: readonly CheckResult[];
  /** Acknowledged versions with at least one violation. */
  readonly lostWrites: number;
  /** Acknowledged ciphertexts with at least one violation. */
  readonly decryptFailuresAfterHeal: number;
  readonly decryptAttempts: number;
}

const BATCH = 500;

async function decryptEverywhere(manifest: Manifest, load: LoadResult): Promise<DecryptAttempt[]> {
  const attempts: DecryptAttempt[] = [];
  for (const region of manifest.regions) {
    for (let i = 0; i < load.ciphertexts.length; i += BATCH) {
      const chunk = load.ciphertexts.slice(i, i + BATCH);
      let answer = await requestJson('POST', `${region.url}/v1/batch/decrypt`, manifest.adminToken, { items: chunk.map((c) => ({ ciphertext: c.ciphertext })) }, 15_000);
      if (answer.status !== 200) answer = await requestJson('POST', `${region.url}/v1/batch/decrypt`, manifest.adminToken, { items: chunk.map((c) => ({ ciphertext: c.ciphertext })) }, 15_000);
      const results = (answer.body as { results?: { ok: boolean; plaintext?: string; code?: string }[] } | null)?.results;
      chunk.forEach((c, j) => {
        const r = answer.status === 200 ? results?.[j] : undefined;
        attempts.push(r?.ok
          ? { region: region.name, ciphertextId: c.ciphertextId, outcome: 'ok', plaintextDigest: createHash('sha256').update(Buffer.from(r.plaintext ?? '', 'base64')).digest('hex') }
          : { region: region.name, ciphertextId: c.ciphertextId, outcome: 'error', code: r?.code ?? `batch decrypt answered HTTP ${answer.status}` });
      });
    }
  }
  return attempts;
}

interface Described {
  readonly keyState: KeyView['keyState'];
  readonly regions: readonly string[] | null;
  readonly currentVersion: number;
  readonly minDecryptionVersion: number;
  readonly versions: readonly { readonly keyVersion: number }[];
}

async function snapshots(manifest: Manifest, load: LoadResult, attempts: readonly DecryptAttempt[]): Promise<RegionSnapshot[]> {
  const all = manifest.regions.map((r) => r.name);
  const decryptedOk = new Set(attempts.filter((a) => a.outcome === 'ok').map((a) => `${a.region} ${a.ciphertextId}`));
  const byVersion = new Map<string, string[]>();
  for (const c of load.ciphertexts) byVersion.set(`${c.keyId} ${c.keyVersion}`, [...(byVersion.get(`${c.keyId} ${c.keyVersion}`) ?? []), c.ciphertextId]);
  return Promise.all(manifest.regions.map(async (region) => {
    const keys: KeyView[] = [];
    for (let i = 0; i < load.keys.length; i += 16) {
      const answers = await Promise.all(load.keys.slice(i, i + 16).map((k) => getJson(`${region.url}/v1/keys/${k.keyId}`, manifest.adminToken, 5000)));
      answers.forEach((answer, j) => {
        const meta = (answer.body as { keyMetadata?: Described } | null)?.keyMetadata;
        if (answer.status !== 200 || !meta) return;
        const keyId = load.keys[i + j]!.keyId;
        const allowed = meta.regions ?? all;
        const proven = (v: number): boolean => {
          const ids = byVersion.get(`${keyId} ${v}`);
          return ids === undefined ? allowed.includes(region.name) : ids.some((id) => decryptedOk.has(`${region.name} ${id}`));
        };
        keys.push({
          keyId, keyState: meta.keyState, allowedRegions: allowed, currentVersion: meta.currentVersion, minDecryptionVersion: meta.minDecryptionVersion,
          revision: meta.currentVersion, heldVersions: meta.versions.map((v) => v.keyVersion).filter(proven),
        });
      });
    }
    return { region: region.name, keys };
  }));
}

function digestChecks(digests: readonly RegionDigest[], regionNames: readonly string[]): CheckResult[] {
  const keyIds = [...new Set(digests.flatMap((d) => Object.keys(d.keys)))];
  const convergence = checkConvergence({
    // Every region stores every key's record (pinning protects material, not metadata), so all must agree.
    expected: keyIds.map((keyId) => ({ keyId, regions: regionNames })),
    digests: Object.fromEntries(digests.map((d) => [d.region, d.keys])),
  });
  const missing = regionNames.filter((r) => !digests.some((d) => d.region === r)).map((r) => `region ${r} did not answer GET /v1/cluster/digest`);
  const overall = new Set(digests.map((d) => d.digest)).size > 1 ? [`overall digests differ: ${digests.map((d) => `${d.region} ${d.digest.slice(0, 12)} @${d.appliedSeq}`).join(', ')}`] : [];
  return [convergence, violationsResult('digests-equal', [...missing, ...overall])];
}

export async function verifyAfterHeal(manifest: Manifest, load: LoadResult, digests: readonly RegionDigest[]): Promise<Verification> {
  const regionNames = manifest.regions.map((r) => r.name);
  const attempts = await decryptEverywhere(manifest, load);
  const regions = await snapshots(manifest, load, attempts);
  const keys = [...latestViews(regions).values()];
  const acknowledged = load.acked.map((a) => ({ keyId: a.keyId, keyVersion: a.keyVersion }));
  const noLost = checkNoLostVersions({ acknowledged, mayBeDestroyed: [], regions });
  const lostWrites = acknowledged.filter((a) => checkNoLostVersions({ acknowledged: [a], mayBeDestroyed: [], regions }).violations.length > 0).length;
  const ciphertexts = load.ciphertexts.map(({ ciphertextId, keyId, keyVersion, plaintextDigest }) => ({ ciphertextId, keyId, keyVersion, plaintextDigest }));
  const decryptable = checkDecryptableEverywhere({ ciphertexts, keys, attempts }, regionNames);
  const byCiphertext = new Map<string, DecryptAttempt[]>();
  for (const a of attempts) byCiphertext.set(a.ciphertextId, [...(byCiphertext.get(a.ciphertextId) ?? []), a]);
  const decryptFailuresAfterHeal = ciphertexts.filter((c) => checkDecryptableEverywhere({ ciphertexts: [c], keys, attempts: byCiphertext.get(c.ciphertextId) ?? [] }, regionNames).violations.length > 0).length;
  return { results: [noLost, decryptable, ...digestChecks(digests, regionNames)], lostWrites, decryptFailuresAfterHeal, decryptAttempts: attempts.length };
}
