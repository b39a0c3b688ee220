/**
 * Waiting for convergence: every region answers `GET /v1/cluster/digest` with the same overall
 * digest and the same applied sequence, and has confirmed every key's current version. Polled every 250 ms, bounded by a time-out.
 */
import type { Manifest } from '../../cluster/manifest.ts';
import { sleep } from '../../cluster/processes.ts';
import { getJson } from './http-json.ts';

export interface RegionDigest {
  readonly region: string;
  readonly appliedSeq: number;
  readonly digest: string;
  /** keyId -> digest of the key's record. */
  readonly keys: Readonly<Record<string, string>>;
  /** Keys whose current version this region has not confirmed with the stream's quorum yet. */
  readonly unconfirmedKeys: number;
}

export interface Convergence {
  readonly converged: boolean;
  /** From the start of the wait to the first poll that found every region equal (or to the time-out). */
  readonly waitedMs: number;
  /** The last answers (regions that did not answer are absent). */
  readonly digests: readonly RegionDigest[];
}

export async function readDigests(manifest: Manifest): Promise<RegionDigest[]> {
  const answers = await Promise.all(manifest.regions.map(async (r) => ({ region: r.name, answer: await getJson(`${r.url}/v1/cluster/digest`, manifest.adminToken, 5000) })));
  return answers.flatMap(({ region, answer }) => {
    const body = answer.body as { appliedSeq?: number; digest?: string; keys?: Record<string, string>; unconfirmedKeys?: number } | null;
    return answer.status === 200 && body?.digest
      ? [{ region, appliedSeq: body.appliedSeq ?? 0, digest: body.digest, keys: body.keys ?? {}, unconfirmedKeys: body.unconfirmedKeys ?? 0 }]
      : [];
  });
}

/** Pure: every region answered, with one digest and one applied sequence, and confirmed every key's current version. */
export function allEqual(digests: readonly RegionDigest[], regionCount: number): boolean {
  return digests.length === regionCount && new Set(digests.map((d) => d.digest)).size === 1 && new Set(digests.map((d) => d.appliedSeq)).size === 1
    && digests.every((d) => d.unconfirmedKeys === 0);
}

export async function waitConverged(manifest: Manifest, timeoutMs: number): Promise<Convergence> {
  const started = Date.now();
  let digests: RegionDigest[] = [];
  for (;;) {
    digests = await readDigests(manifest);
    if (allEqual(digests, manifest.regions.length)) return { converged: true, waitedMs: Date.now() - started, digests };
    if (Date.now() - started > timeoutMs) return { converged: false, waitedMs: Date.now() - started, digests };
    await sleep(250);
  }
}
