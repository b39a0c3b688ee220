/**
 * LevelDB orders keys by their UTF-8 bytes, which is Unicode code point order; JavaScript's `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF versus U+E000..U+FFFF.
 * The memory twin sorts with this comparator so that both stores page through ids in one order.
 */

const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** Shifts a UTF-16 code unit so that surrogates (which encode U+10000 and up) sort after U+FFFF. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** UTF-8 cannot carry a lone surrogate: encoding would silently turn it into U+FFFD. */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** What a string becomes once encoded as UTF-8, so that both stores treat a marker alike. */
export function toWellFormed(value: string): string {
  return value.replace(LONE_SURROGATES, '\uFFFD');
}
