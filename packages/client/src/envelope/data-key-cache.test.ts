// Proves the data-key cache's limits with a fake clock: a key is reused until its age, message or
// byte limit would be passed (then evicted, zeroed and reported), decryption entries are limited by
// age only, capacity evicts the least recently used entry, and every lookup is reported as an event.
import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeyCache, type CachedKey, type DataKeyCacheLimits } from './data-key-cache.ts';
import type { ClientEvent } from '../client-events.ts';

const LIMITS: DataKeyCacheLimits = { maxAgeMs: 1_000, maxMessagesPerKey: 3, maxBytesPerKey: 100, capacity: 2 };

function key(fill: number): CachedKey<string> {
  const secret = Buffer.alloc(32, fill);
  return { secret, handle: createSecretKey(Buffer.from(secret)), info: `key-${fill}` };
}

function cache(side: 'encrypt' | 'decrypt' = 'encrypt', limits: Partial<DataKeyCacheLimits> = {}) {
  const clock = { now: 0 };
  const events: ClientEvent[] = [];
  const made = new DataKeyCache<string>(side, { ...LIMITS, ...limits }, () => clock.now, (event) => events.push(event));
  const outcomes = () => events.map((event) => (event.type === 'cache' ? `${event.outcome}${event.reason ? `:${event.reason}` : ''}` : event.type));
  return { cache: made, clock, outcomes };
}

describe('DataKeyCache limits', () => {
  it('reuses a key for up to maxMessagesPerKey messages, its first included', () => {
    const { cache: c, outcomes } = cache();
    const k = key(1);
    expect(c.take('a', 10)).toBeNull();
    c.put('a', k, 10);
    expect(c.take('a', 10)).toBe(k);
    expect(c.take('a', 10)).toBe(k);
    expect(c.take('a', 10)).toBeNull();
    expect(outcomes()).toEqual(['miss', 'hit', 'hit', 'evict:messages', 'miss']);
    expect(k.secret.equals(Buffer.alloc(32))).toBe(true);
  });

  it('stops at maxBytesPerKey, and admits no message larger than it', () => {
    const { cache: c, outcomes } = cache();
    c.put('a', key(1), 60);
    expect(c.take('a', 40)).not.toBeNull();
    expect(c.take('a', 1)).toBeNull();
    expect(outcomes()).toEqual(['hit', 'evict:bytes', 'miss']);
    expect(c.admits(100)).toBe(true);
    expect(c.admits(101)).toBe(false);
  });

  it('stops at maxAgeMs, measured from when the key was cached', () => {
    const { cache: c, clock, outcomes } = cache();
    c.put('a', key(1), 1);
    clock.now = 999;
    expect(c.take('a', 1)).not.toBeNull();
    clock.now = 1_000;
    expect(c.take('a', 1)).toBeNull();
    expect(outcomes()).toEqual(['hit', 'evict:age', 'miss']);
  });

  it('limits decryption entries by age only', () => {
    const { cache: c, clock } = cache('decrypt');
    c.put('w', key(1), 0);
    for (let i = 0; i < 10; i++) expect(c.take('w', 1_000)).not.toBeNull();
    clock.now = 1_000;
    expect(c.take('w', 0)).toBeNull();
  });

  it('evicts the least recently used entry beyond capacity, and zeroes it', () => {
    const { cache: c, outcomes } = cache('encrypt', { maxMessagesPerKey: 100 });
    const [a, b, third] = [key(1), key(2), key(3)];
    c.put('a', a, 1);
    c.put('b', b, 1);
    expect(c.take('a', 1)).toBe(a);
    c.put('c', third, 1);
    expect(c.size).toBe(2);
    expect(b.secret.every((byte) => byte === 0)).toBe(true);
    expect(c.take('b', 1)).toBeNull();
    expect(c.take('a', 1)).toBe(a);
    expect(outcomes()).toContain('evict:capacity');
  });

  it('clear() zeroes every entry', () => {
    const { cache: c } = cache();
    const [a, b] = [key(1), key(2)];
    c.put('a', a, 1);
    c.put('b', b, 1);
    c.clear();
    expect(c.size).toBe(0);
    expect([a, b].every((k) => k.secret.every((byte) => byte === 0))).toBe(true);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => cache('encrypt', { capacity: 0 })).toThrow(/capacity/);
    expect(() => cache('encrypt', { maxAgeMs: 1.5 })).toThrow(/maxAgeMs/);
  });
});
