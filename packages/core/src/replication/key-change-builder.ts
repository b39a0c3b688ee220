/**
 * Builds the next key change from the previous one: the new record, every version's envelope
 * carried forward, new wrapped secrets merged in, and wrapped secrets for regions the policy no
 * longer allows dropped. A destroyed key carries no material at all.
 */
import type { KeyRecord } from '../key-record.ts';
import { allowedRegions, type KeyChange, type VersionEnvelope } from './state-change.ts';

export interface WrappedAddition {
  readonly keyVersion: number;
  readonly publicKey: Uint8Array | null;
  readonly wrapped: Readonly<Record<string, Uint8Array>>;
}

function pick(wrapped: Readonly<Record<string, Uint8Array>>, regions: readonly string[]): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(wrapped).filter(([region]) => regions.includes(region)));
}

export function nextKeyChange(
  previous: KeyChange | null,
  record: KeyRecord,
  additions: readonly WrappedAddition[],
  deploymentRegions: readonly string[],
): KeyChange {
  if (record.keyState === 'Destroyed') {
    const versions = record.versions.map((v): VersionEnvelope => ({ keyVersion: v.keyVersion, publicKey: null, wrapped: {} }));
    return { kind: 'key', record, versions };
  }
  const regions = allowedRegions(record, deploymentRegions);
  const byVersion = new Map<number, VersionEnvelope>();
  for (const envelope of previous?.versions ?? []) byVersion.set(envelope.keyVersion, envelope);
  for (const addition of additions) {
    const earlier = byVersion.get(addition.keyVersion);
    byVersion.set(addition.keyVersion, {
      keyVersion: addition.keyVersion,
      publicKey: addition.publicKey ?? earlier?.publicKey ?? null,
      wrapped: { ...(earlier?.wrapped ?? {}), ...addition.wrapped },
    });
  }
  const versions = record.versions.map((v): VersionEnvelope => {
    const envelope = byVersion.get(v.keyVersion);
    return { keyVersion: v.keyVersion, publicKey: envelope?.publicKey ?? null, wrapped: pick(envelope?.wrapped ?? {}, regions) };
  });
  return { kind: 'key', record, versions };
}

/** Regions of the policy that the previous change did not carry material for: they need re-wrapping. */
export function regionsNeedingMaterial(previous: KeyChange | null, record: KeyRecord, deploymentRegions: readonly string[]): string[] {
  if (record.keyState === 'Destroyed' || previous === null) return [];
  const regions = allowedRegions(record, deploymentRegions);
  // Own properties only: an inherited member ("constructor") is not material for a region of that name.
  return regions.filter((region) => previous.versions.some((v) => !Object.hasOwn(v.wrapped, region)));
}
