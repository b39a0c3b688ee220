// Proves the client's memory of key region policies: unknown keys do not constrain routing, known
// ones do (intersected across the keys of one call), entries expire after their TTL, the map is
// bounded (least recently learnt out first), and policies are read only from well-formed metadata.
import { describe, expect, it } from 'vitest';
import { KeyRegions, keyPolicyIn } from './key-regions.ts';

function regions(options: { ttlMs?: number; capacity?: number } = {}) {
  const clock = { now: 0 };
  const map = new KeyRegions({ ttlMs: options.ttlMs ?? 1_000, capacity: options.capacity ?? 10, nowMs: () => clock.now });
  return { map, clock };
}

describe('KeyRegions', () => {
  it('leaves unknown and unpinned keys unconstrained', () => {
    const { map } = regions();
    map.learn('open', null);
    expect(map.allowedFor(undefined)).toBeNull();
    expect(map.allowedFor(['unknown', 'open'])).toBeNull();
  });

  it('intersects the policies of every known pinned key', () => {
    const { map } = regions();
    map.learn('a', ['eu', 'us']);
    map.learn('b', ['us', 'ap']);
    expect([...(map.allowedFor(['a']) ?? [])]).toEqual(['eu', 'us']);
    expect([...(map.allowedFor(['a', 'b', 'unknown']) ?? [])]).toEqual(['us']);
    map.learn('c', ['ap']);
    expect([...(map.allowedFor(['a', 'c']) ?? [])]).toEqual([]);
  });

  it('forgets a policy after its TTL', () => {
    const { map, clock } = regions({ ttlMs: 100 });
    map.learn('a', ['eu']);
    clock.now = 99;
    expect(map.regionsOf('a')).toBeDefined();
    clock.now = 100;
    expect(map.regionsOf('a')).toBeUndefined();
  });

  it('keeps at most `capacity` keys, dropping the least recently learnt', () => {
    const { map } = regions({ capacity: 2 });
    map.learn('a', ['eu']);
    map.learn('b', ['eu']);
    map.learn('a', ['us']);
    map.learn('c', ['eu']);
    expect(map.regionsOf('b')).toBeUndefined();
    expect([...(map.regionsOf('a') ?? [])]).toEqual(['us']);
  });
});

describe('keyPolicyIn', () => {
  it('reads keyMetadata.regions, null included, and ignores anything else', () => {
    expect(keyPolicyIn({ keyMetadata: { keyId: 'k', regions: ['eu'] } })).toEqual({ keyId: 'k', regions: ['eu'] });
    expect(keyPolicyIn({ keyMetadata: { keyId: 'k', regions: null } })).toEqual({ keyId: 'k', regions: null });
    expect(keyPolicyIn({ keyMetadata: { keyId: 'k' } })).toBeNull();
    expect(keyPolicyIn({ keyMetadata: { keyId: 'k', regions: [1] } })).toBeNull();
    expect(keyPolicyIn({ ciphertext: 'x' })).toBeNull();
    expect(keyPolicyIn(undefined)).toBeNull();
  });
});
