/**
 * Looks for secrets in bytes: data folders, log output, stream messages. A checker of its own so
 * that chaos drills can reuse it. A secret is searched for whole in every usual encoding (raw,
 * hex, base64, base64url) and, when long enough, also by 16-byte windows, so that a partial leak
 * or one split by a storage block boundary is still found.
 */

export interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
}

export interface Finding {
  readonly where: string;
  readonly label: string;
  readonly offset: number;
}

/** Shorter needles could match by chance in unrelated bytes; the scanner refuses them. */
export const NEEDLE_MIN_BYTES = 12;
const WINDOW_BYTES = 16;
const BASE64_PIECE_CHARS = 24; // 18 bytes
const DISTINCT_BYTES_MIN = 8;

function unpadded(text: string): string {
  return text.replace(/=+$/, '');
}

/** The whole value in each encoding a careless log line or record might use. */
export function encodingsOf(label: string, value: Uint8Array): Needle[] {
  const bytes = Buffer.from(value);
  const texts: [string, string][] = [
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['base64', unpadded(bytes.toString('base64'))],
    ['base64url', unpadded(bytes.toString('base64url'))],
  ];
  return [
    { label: `${label} (raw)`, bytes },
    ...texts.map(([encoding, text]) => ({ label: `${label} (${encoding})`, bytes: Buffer.from(text, 'latin1') })),
  ];
}

/** A text secret (a plaintext, a bearer token): its UTF-8 bytes and their encodings. */
export function textNeedles(label: string, text: string): Needle[] {
  return encodingsOf(label, Buffer.from(text, 'utf8'));
}

function isDistinctive(bytes: Buffer): boolean {
  return new Set(bytes).size >= DISTINCT_BYTES_MIN;
}

/**
 * A random or key-bearing secret: the whole value, plus every aligned 16-byte window (raw and
 * hex) and every 24-character base64 piece at each of the three byte alignments. Windows that also
 * occur in a public part (a public key inside a PKCS#8 blob, a DER header) or that are too uniform
 * are left out, since finding them proves nothing.
 */
export function secretNeedles(label: string, secret: Uint8Array, options: { publicParts?: readonly Uint8Array[] } = {}): Needle[] {
  const bytes = Buffer.from(secret);
  const publicParts = (options.publicParts ?? []).map((p) => Buffer.from(p));
  const isPrivate = (region: Buffer) => isDistinctive(region) && !publicParts.some((p) => p.includes(region));
  const needles = encodingsOf(label, bytes);
  for (let start = 0; start + WINDOW_BYTES <= bytes.length; start += WINDOW_BYTES) {
    const window = bytes.subarray(start, start + WINDOW_BYTES);
    if (!isPrivate(window)) continue;
    needles.push({ label: `${label} [bytes ${start}+16]`, bytes: Buffer.from(window) });
    needles.push({ label: `${label} [bytes ${start}+16, hex]`, bytes: Buffer.from(window.toString('hex'), 'latin1') });
  }
  const pieceBytes = (BASE64_PIECE_CHARS / 4) * 3;
  for (let alignment = 0; alignment < 3; alignment++) {
    const tail = bytes.subarray(alignment);
    for (const [encoding, text] of [['base64', tail.toString('base64')], ['base64url', tail.toString('base64url')]] as const) {
      for (let piece = 0; (piece + 1) * pieceBytes <= tail.length; piece++) {
        if (!isPrivate(tail.subarray(piece * pieceBytes, (piece + 1) * pieceBytes))) continue;
        const chars = text.slice(piece * BASE64_PIECE_CHARS, (piece + 1) * BASE64_PIECE_CHARS);
        needles.push({ label: `${label} [${encoding} piece ${alignment}/${piece}]`, bytes: Buffer.from(chars, 'latin1') });
      }
    }
  }
  return needles;
}

/**
 * Scans haystacks for a fixed set of needles. Needles of one length are looked up together by
 * sliding a window over the haystack and probing a map, so thousands of windows cost one pass.
 */
export class LeakScanner {
  readonly #byLength = new Map<number, Map<string, string>>();
  readonly needleCount: number;

  constructor(needles: readonly Needle[]) {
    for (const needle of needles) {
      if (needle.bytes.length < NEEDLE_MIN_BYTES) {
        throw new RangeError(`needle ${needle.label} is ${needle.bytes.length} bytes; at least ${NEEDLE_MIN_BYTES} are needed to mean anything`);
      }
      let group = this.#byLength.get(needle.bytes.length);
      if (!group) this.#byLength.set(needle.bytes.length, (group = new Map()));
      // Two encodings can coincide (base64 and base64url of the same bytes); the first label stays.
      const key = needle.bytes.toString('latin1');
      if (!group.has(key)) group.set(key, needle.label);
    }
    this.needleCount = needles.length;
  }

  scan(where: string, haystack: Uint8Array): Finding[] {
    const text = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).toString('latin1');
    const findings: Finding[] = [];
    for (const [length, group] of this.#byLength) {
      if (group.size <= 4) {
        for (const [needle, label] of group) {
          const offset = text.indexOf(needle);
          if (offset >= 0) findings.push({ where, label, offset });
        }
        continue;
      }
      for (let offset = 0; offset + length <= text.length; offset++) {
        const label = group.get(text.slice(offset, offset + length));
        if (label !== undefined) findings.push({ where, label, offset });
      }
    }
    return findings;
  }
}

/** Every string and byte array inside a decoded value (a msgpack record), joined: what a logical scan reads. */
export function flattenValue(value: unknown, out: Buffer[] = []): Buffer[] {
  if (typeof value === 'string') out.push(Buffer.from(value, 'utf8'));
  else if (value instanceof Uint8Array) out.push(Buffer.from(value));
  else if (Array.isArray(value)) for (const item of value) flattenValue(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(Buffer.from(key, 'utf8'));
      flattenValue(item, out);
    }
  }
  return out;
}
