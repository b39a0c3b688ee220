/** Builders for the checkers' unit tests: a sound key view with any field overridden. */
import type { KeyObservation, KeyView, RegionSnapshot } from './types.ts';

export const KEY = 'k1';

export function view(overrides: Partial<KeyView> = {}): KeyView {
  return {
    keyId: KEY, keyState: 'Enabled', allowedRegions: ['a', 'b'], currentVersion: 2, minDecryptionVersion: 1, revision: 3,
    heldVersions: [1, 2], materialIds: { 1: 'm1', 2: 'm2' }, ...overrides,
  };
}

export function snapshot(region: string, ...keys: KeyView[]): RegionSnapshot {
  return { region, keys };
}

export function observation(region: string, at: number, overrides: Partial<KeyView> = {}): KeyObservation {
  return { ...view(overrides), region, at };
}
