/**
 * No acknowledged key version is lost (design invariant 1): after faults heal and replication has
 * caught up, every key version whose creation a client saw acknowledged is present, with the same
 * material, in every region the key is allowed in, unless a client asked for the key's destruction.
 */
import { violationsResult, type CheckResult, type KeyView, type RegionSnapshot } from './types.ts';

export interface AcknowledgedVersion {
  readonly keyId: string;
  readonly keyVersion: number;
  /** The material's identity when the history knows it; a different one under the same number is a loss too. */
  readonly materialId?: string;
}

export interface NoLostVersionsInput {
  /** Versions created by operations whose outcome was ok (CreateKey, RotateKey). */
  readonly acknowledged: readonly AcknowledgedVersion[];
  /** Keys a client asked to destroy (outcome ok or indeterminate): their material may rightly be gone. */
  readonly mayBeDestroyed: readonly string[];
  /** Each reachable region's view after heal and catch-up; regions absent here are not judged. */
  readonly regions: readonly RegionSnapshot[];
}

/** The most advanced view of a key among the regions: what the stream's latest change says. */
export function latestViews(regions: readonly RegionSnapshot[]): Map<string, KeyView> {
  const latest = new Map<string, KeyView>();
  for (const snapshot of regions) {
    for (const view of snapshot.keys) {
      const known = latest.get(view.keyId);
      if (known === undefined || view.revision > known.revision) latest.set(view.keyId, view);
    }
  }
  return latest;
}

function regionProblems(ack: AcknowledgedVersion, region: string, view: KeyView | undefined): string[] {
  const name = `${ack.keyId} v${ack.keyVersion}`;
  if (view === undefined) return [`${name}: region ${region} is allowed but has no record of the key`];
  if (!view.heldVersions.includes(ack.keyVersion)) return [`${name}: region ${region} is allowed but holds no material for it`];
  const held = view.materialIds?.[ack.keyVersion];
  if (ack.materialId !== undefined && held !== undefined && held !== ack.materialId) {
    return [`${name}: region ${region} holds material ${held}, but ${ack.materialId} was acknowledged`];
  }
  return [];
}

function versionProblems(ack: AcknowledgedVersion, input: NoLostVersionsInput, latest: KeyView | undefined): string[] {
  const name = `${ack.keyId} v${ack.keyVersion}`;
  if (latest === undefined) return [`${name}: no region has any record of the key`];
  if (latest.keyState === 'Destroyed') {
    return input.mayBeDestroyed.includes(ack.keyId) ? [] : [`${name}: the key is destroyed, but no client asked for that`];
  }
  if (latest.currentVersion < ack.keyVersion) return [`${name}: the key's latest record stops at v${latest.currentVersion}`];
  return input.regions
    .filter((snapshot) => latest.allowedRegions.includes(snapshot.region))
    .flatMap((snapshot) => regionProblems(ack, snapshot.region, snapshot.keys.find((k) => k.keyId === ack.keyId)));
}

export function checkNoLostVersions(input: NoLostVersionsInput): CheckResult {
  const latest = latestViews(input.regions);
  const violations = input.acknowledged.flatMap((ack) => versionProblems(ack, input, latest.get(ack.keyId)));
  return violationsResult('no-lost-versions', violations);
}
