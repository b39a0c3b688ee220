// Proves the builder keeps a change complete and pinned: material is carried forward from the
// previous change, slots for regions the policy no longer allows are dropped, a destroyed key
// carries nothing, and regionsNeedingMaterial names exactly the regions a writer must re-wrap for.
import { describe, expect, it } from 'vitest';
import { applyKeyCommand, createKeyRecord } from '../key-machine.ts';
import { nextKeyChange, regionsNeedingMaterial } from './key-change-builder.ts';

const DEPLOYMENT = ['a', 'b', 'c'];
const blob = (tag: string): Uint8Array => new TextEncoder().encode(tag);
const slots = (change: { versions: readonly { wrapped: Readonly<Record<string, Uint8Array>> }[] }): string[][] =>
  change.versions.map((v) => Object.keys(v.wrapped).sort());

const record = createKeyRecord(
  { keyId: '00000000-0000-4000-8000-000000000002', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', regions: ['a', 'b'] },
  1_000,
);
const created = nextKeyChange(null, record, [{ keyVersion: 1, publicKey: null, wrapped: { a: blob('a1'), b: blob('b1') } }], DEPLOYMENT);

describe('nextKeyChange', () => {
  it('carries earlier versions forward and adds the new one', () => {
    const rotated = applyKeyCommand(record, { type: 'rotate', rotationType: 'ON_DEMAND' }, 2_000);
    const change = nextKeyChange(created, rotated, [{ keyVersion: 2, publicKey: null, wrapped: { a: blob('a2'), b: blob('b2') } }], DEPLOYMENT);
    expect(slots(change)).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('drops the slots of a region the policy removes', () => {
    const narrowed = applyKeyCommand(record, { type: 'setRegions', regions: ['a'] }, 2_000);
    expect(slots(nextKeyChange(created, narrowed, [], DEPLOYMENT))).toEqual([['a']]);
  });

  it('never carries material for a destroyed key', () => {
    let r = applyKeyCommand(record, { type: 'scheduleDeletion', pendingWindowDays: 7 }, 2_000);
    r = applyKeyCommand(r, { type: 'destroy' }, 2_000 + 8 * 86_400_000);
    expect(slots(nextKeyChange(created, r, [], DEPLOYMENT))).toEqual([[]]);
  });
});

describe('regionsNeedingMaterial', () => {
  it('names a region the policy adds', () => {
    const widened = applyKeyCommand(record, { type: 'setRegions', regions: ['a', 'b', 'c'] }, 2_000);
    expect(regionsNeedingMaterial(created, widened, DEPLOYMENT)).toEqual(['c']);
  });

  it('names a region called "constructor", which an inherited member must not hide', () => {
    const deployment = ['a', 'constructor'];
    const open = applyKeyCommand(record, { type: 'setRegions', regions: ['a', 'constructor'] }, 2_000);
    expect(regionsNeedingMaterial(created, open, deployment)).toEqual(['constructor']);
  });
});
