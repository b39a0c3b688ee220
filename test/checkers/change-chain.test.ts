// Proves the change-chain checker accepts a subject whose changes each build on the one before
// and flags a skipped or repeated revision (two writers on one state), a version that disappears
// and a version whose material changes.
import { describe, expect, it } from 'vitest';
import { checkChangeChain, type ChainMessage } from './change-chain.ts';

const m = (seq: number, revision: number, materials: string[], subject = 'kms.key.k1'): ChainMessage => ({
  seq, subject, revision, versions: materials.map((materialId, i) => ({ keyVersion: i + 1, materialId })),
});

describe('change-chain', () => {
  it('passes a chain per subject, interleaved with other subjects', () => {
    const messages = [m(1, 1, ['a']), m(2, 1, ['x'], 'kms.key.k2'), m(3, 2, ['a', 'b']), m(4, 3, ['a', 'b'])];
    expect(checkChangeChain({ messages, complete: true }).violations).toEqual([]);
  });

  it('flags two changes built on the same revision', () => {
    const messages = [m(1, 1, ['a']), m(2, 2, ['a', 'b']), m(3, 2, ['a', 'c'])];
    expect(checkChangeChain({ messages, complete: true }).violations).toEqual([
      expect.stringMatching(/revision 2 -> 2/), expect.stringMatching(/v2 material changed from b to c/),
    ]);
  });

  it('flags a version that disappears', () => {
    expect(checkChangeChain({ messages: [m(1, 1, ['a', 'b']), m(2, 2, ['a'])], complete: true }).violations).toEqual([expect.stringMatching(/v2 disappeared/)]);
  });

  it('accepts revision gaps in a partial history, but not a complete one', () => {
    const messages = [m(5, 4, ['a']), m(9, 7, ['a'])];
    expect(checkChangeChain({ messages, complete: false }).violations).toEqual([]);
    expect(checkChangeChain({ messages, complete: true }).violations).toHaveLength(2);
  });
});
