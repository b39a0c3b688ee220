/**
 * Proves the two stores give back the same values: for anything storable, decoding what the
 * LevelDB codec wrote equals the memory twin's copy, and both are detached from the input. Also
 * proves that what cannot round-trip is named (with its path) instead of being written.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decodeValue, encodeValue } from './msgpack-codec.ts';
import { copyStorable, storableProblem } from './storable.ts';

const SEED = 20_260_428;

const storable: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.maxSafeInteger(),
    fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !/\p{Cs}/u.test(s)),
    fc.uint8Array({ maxLength: 12 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 }).map((o) => ({ ...o })),
  ),
})).value;

it('decodes what it encodes to exactly what the memory twin copies (seeded)', () => {
  fc.assert(fc.property(storable, (value) => {
    expect(storableProblem(value)).toBeNull();
    const decoded = decodeValue(encodeValue(value), 'x/test');
    expect(decoded).toStrictEqual(copyStorable(value));
  }), { seed: SEED, numRuns: 1000 });
});

it('keeps a property named __proto__ as data, in both directions', () => {
  const tags = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string>;
  for (const copy of [decodeValue(encodeValue(tags), 'x/t'), copyStorable(tags)] as Record<string, string>[]) {
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.entries(copy)).toEqual([['__proto__', 'x'], ['a', 'b']]);
  }
});

it('gives back plain Uint8Arrays that own exactly their bytes', () => {
  const pooled = Buffer.from('pooled bytes');
  for (const bytes of [decodeValue(encodeValue(pooled), 'x/b'), copyStorable(pooled)] as Uint8Array[]) {
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from(bytes).toString()).toBe('pooled bytes');
  }
});

it('names what it cannot store and where', () => {
  expect(storableProblem({ a: [1, { when: new Date(0) }] })).toBe('an instance of Date at .a[1].when');
  expect(storableProblem({ a: undefined })).toBe('a value of type undefined at .a');
  expect(storableProblem([1n])).toBe('a value of type bigint at [0]');
  expect(storableProblem(new Map())).toBe('an instance of Map at the top level');
  expect(storableProblem({ s: 'x\ud800' })).toBe('a string with a lone surrogate at .s');
  const holey = [1, 2, 3];
  delete holey[1];
  expect(storableProblem(holey)).toBe('a hole in an array at [1]');
  const deep: unknown[] = [];
  let cursor = deep;
  for (let i = 0; i < 100; i++) cursor.push((cursor = []));
  expect(storableProblem(deep)).toMatch(/^nesting deeper than 64/);
});

it('reports bytes that are not one MessagePack value as corruption', () => {
  // 0xc1 is reserved, d4 00 00 is undefined, d6 ff .. is a timestamp: none of them a storable value.
  for (const bytes of [[0xc1], [0x92, 0x01], [0x01, 0x01], [], [0xd4, 0, 0], [0xd6, 0xff, 0, 0, 0, 1]]) {
    expect(() => decodeValue(new Uint8Array(bytes), 'k/x')).toThrow(expect.objectContaining({ code: 'KMSInternalException' }));
  }
});
