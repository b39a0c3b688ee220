// Proves the convergence checker accepts regions that agree on every key they may hold and flags
// a region that disagrees or that lacks a key it should have.
import { describe, expect, it } from 'vitest';
import { checkConvergence } from './convergence.ts';

const expected = [{ keyId: 'k1', regions: ['a', 'b'] }, { keyId: 'k2', regions: ['a', 'b', 'c'] }];

describe('convergence', () => {
  it('passes equal digests; regions outside a key may differ or lack it', () => {
    const digests = { a: { k1: 'x', k2: 'y' }, b: { k1: 'x', k2: 'y' }, c: { k1: 'z', k2: 'y' } };
    expect(checkConvergence({ expected, digests }).violations).toEqual([]);
  });

  it('flags regions that disagree, naming both sides', () => {
    const digests = { a: { k1: 'x', k2: 'y' }, b: { k1: 'x', k2: 'w' }, c: { k2: 'y' } };
    expect(checkConvergence({ expected, digests }).violations).toEqual([expect.stringMatching(/k2: regions disagree: \[a, c\] -> y; \[b\] -> w/)]);
  });

  it('flags a region without a key it may hold', () => {
    const digests = { a: { k1: 'x', k2: 'y' }, b: { k2: 'y' }, c: { k2: 'y' } };
    expect(checkConvergence({ expected, digests }).violations).toEqual(['k1: region b has no state for it']);
  });
});
