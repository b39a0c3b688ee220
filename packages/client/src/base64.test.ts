// Proves the base64 codec round-trips every byte value and length, and refuses what is not strict
// standard base64 instead of decoding it to wrong bytes; decoded bytes never share memory with others.
import { describe, expect, it } from 'vitest';
import { fromBase64, isBase64, toBase64 } from './base64.ts';

describe('base64', () => {
  it('round-trips all byte values at every padding length', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 255, 256, 257, 100_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 7 + 3) % 256);
      const decoded = fromBase64(toBase64(bytes));
      expect(decoded).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(decoded!, bytes)).toBe(0);
    }
    expect(toBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=');
  });

  it('encodes only the viewed bytes of a subarray and decodes into memory of its own', () => {
    const whole = Uint8Array.of(1, 2, 3, 4, 5);
    expect(toBase64(whole.subarray(1, 3))).toBe('AgM=');
    const decoded = fromBase64('AgM=')!;
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(2);
  });

  it('rejects URL-safe, unpadded, whitespace and misplaced padding', () => {
    for (const bad of ['a', 'ab', 'abc', 'ab=c', '-_-_', 'YWJj\n', ' YWJj', 'YW Jj', 'YQ', '====', 'A===', 'AA=A', 'YWJj====']) {
      expect(isBase64(bad), bad).toBe(false);
      expect(fromBase64(bad), bad).toBeNull();
    }
    expect(fromBase64('')).toEqual(new Uint8Array());
  });

  it('refuses a string where bytes belong rather than encoding it as zeros', () => {
    expect(() => toBase64('secret' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
