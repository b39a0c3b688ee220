/**
 * Whether two key changes leave one region in the same state: the same record and, for every
 * version, the same secret wrapped for that region (bytes carried forward unchanged, so equal bytes
 * mean the same secret). A region compares what it applied on a subject with what the stream holds
 * there, at the same sequence, to find a change the stream replaced after a failure.
 */
import type { KeyChange } from './state-change.ts';

export function sameKeyChange(a: KeyChange, b: KeyChange, region: string): boolean {
  if (!samePlainData(a.record, b.record) || a.versions.length !== b.versions.length) return false;
  return a.versions.every((version, i) => {
    const other = b.versions[i];
    if (!other || other.keyVersion !== version.keyVersion) return false;
    const mine = Object.hasOwn(version.wrapped, region) ? version.wrapped[region] : undefined;
    const theirs = Object.hasOwn(other.wrapped, region) ? other.wrapped[region] : undefined;
    return mine === undefined || theirs === undefined ? mine === theirs : samePlainData(mine, theirs);
  });
}

/** Deep equality of decoded data: null, numbers, strings, booleans, byte arrays, arrays, plain objects. */
function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((byte, i) => byte === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => samePlainData(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => samePlainData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
