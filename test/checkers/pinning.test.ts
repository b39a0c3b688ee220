// Proves the pinning checker accepts changes and stores that respect each key's policy and flags
// material on the stream for a region outside the policy, material for a destroyed key, a blob
// filed under one region but wrapped for another, and a region that keeps material it may not hold.
import { describe, expect, it } from 'vitest';
import { checkPinning, type StreamKeyMessage } from './pinning.ts';
import { KEY, observation } from './test-fixtures.ts';

function message(slots: { slot: string; wrappedFor: string | null }[], overrides: Partial<StreamKeyMessage> = {}): StreamKeyMessage {
  return { seq: 7, keyId: KEY, keyState: 'Enabled', allowedRegions: ['a', 'b'], versions: [{ keyVersion: 1, slots }], ...overrides };
}
const own = (r: string) => ({ slot: r, wrappedFor: r });

describe('pinning', () => {
  it('passes a change carrying material only for allowed regions, and stores that follow their records', () => {
    const holdings = [observation('a', 1), observation('c', 1, { heldVersions: [] })];
    expect(checkPinning({ messages: [message([own('a'), own('b')])], holdings }).violations).toEqual([]);
  });

  it('flags material on the stream for a region outside the policy', () => {
    expect(checkPinning({ messages: [message([own('a'), own('c')])], holdings: [] }).violations).toEqual([expect.stringMatching(/for c, outside the policy/)]);
  });

  it('flags material carried for a destroyed key', () => {
    expect(checkPinning({ messages: [message([own('a')], { keyState: 'Destroyed' })], holdings: [] }).violations).toEqual([expect.stringMatching(/destroyed/)]);
  });

  it('flags a blob filed under a region but wrapped for another', () => {
    expect(checkPinning({ messages: [message([{ slot: 'a', wrappedFor: 'c' }])], holdings: [] }).violations).toEqual([expect.stringMatching(/wrapped for c/)]);
  });

  it('flags a region holding material once its record excludes it, or once the key is destroyed', () => {
    const holdings = [observation('c', 4), observation('a', 5, { keyState: 'Destroyed' })];
    expect(checkPinning({ messages: [], holdings }).violations).toEqual([expect.stringMatching(/^c holds .* outside the policy/), expect.stringMatching(/^a holds .* destroyed/)]);
  });
});
