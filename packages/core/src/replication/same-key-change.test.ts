// Proves the comparison a region uses to find a change the stream replaced at the same sequence:
// equal record and equal bytes for this region mean the same state; any record field, a version
// more or less, or other bytes for this region differ; other regions' bytes do not matter here.
import { describe, expect, it } from 'vitest';
import { applyKeyCommand, createKeyRecord } from '../key-machine.ts';
import { nextKeyChange } from './key-change-builder.ts';
import { sameKeyChange } from './same-key-change.ts';

const record = createKeyRecord({ keyId: '00000000-0000-4000-8000-000000000009', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', regions: null }, 1_000);
const bytes = (tag: string) => new TextEncoder().encode(tag);
const change = (a: string, b: string) => nextKeyChange(null, record, [{ keyVersion: 1, publicKey: null, wrapped: { a: bytes(a), b: bytes(b) } }], ['a', 'b']);

describe('sameKeyChange', () => {
  it('is true for equal state, whatever other regions got', () => {
    expect(sameKeyChange(change('a1', 'b1'), change('a1', 'b1'), 'a')).toBe(true);
    expect(sameKeyChange(change('a1', 'b1'), change('a1', 'b2'), 'a')).toBe(true);
  });

  it('is false for other bytes here, another record, or another version count', () => {
    expect(sameKeyChange(change('a1', 'b1'), change('a2', 'b1'), 'a')).toBe(false);
    const described = { ...change('a1', 'b1'), record: applyKeyCommand(record, { type: 'updateDescription', description: 'x' }, 2_000) };
    expect(sameKeyChange(change('a1', 'b1'), described, 'a')).toBe(false);
    const rotated = applyKeyCommand(record, { type: 'rotate', rotationType: 'ON_DEMAND' }, 2_000);
    const two = nextKeyChange(change('a1', 'b1'), rotated, [{ keyVersion: 2, publicKey: null, wrapped: { a: bytes('a2'), b: bytes('b2') } }], ['a', 'b']);
    expect(sameKeyChange(change('a1', 'b1'), two, 'a')).toBe(false);
  });
});
