/**
 * Proves the memory twin's comparator orders strings exactly as LevelDB orders their UTF-8 bytes,
 * including the range where UTF-16 order disagrees (U+E000..U+FFFF against astral characters).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compareCodePoints, isWellFormed, toWellFormed } from './code-point-order.ts';

const SEED = 20_260_428;
const wellFormed = fc.string({ unit: 'binary', maxLength: 8 }).filter(isWellFormed);

it('agrees in sign with Buffer.compare of the UTF-8 bytes (seeded)', () => {
  fc.assert(fc.property(wellFormed, wellFormed, (a, b) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
  }), { seed: SEED, numRuns: 2000 });
});

it('orders the cases UTF-16 gets wrong', () => {
  expect(['😀', '\uFFFF', '\uE000', 'z'].sort(compareCodePoints)).toEqual(['z', '\uE000', '\uFFFF', '😀']);
  expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
  expect(compareCodePoints('ab', 'ab')).toBe(0);
});

it('finds lone surrogates and replaces them as UTF-8 encoding would', () => {
  expect(isWellFormed('😀')).toBe(true);
  expect(isWellFormed('a\ud800')).toBe(false);
  expect(isWellFormed('\udc00b')).toBe(false);
  expect(toWellFormed('a\ud800b')).toBe(Buffer.from('a\ud800b').toString());
});
