/**
 * Values on disk are MessagePack (msgpackr): compact, fast, and binary-safe, so wrapped material
 * stays bytes instead of base64 text. Records are written as plain maps, not msgpackr's record
 * extension, so every value decodes on its own with no shared structure table to lose.
 */
import { Packr } from 'msgpackr';
import { storableProblem } from './storable.ts';
import { corrupt } from './storage-errors.ts';

const packr = new Packr({
  useRecords: false,
  // Maps, not objects: msgpackr renames a "__proto__" key when it builds objects itself, and a
  // tag may legitimately be called that; fromWire builds the objects instead.
  mapsAsObjects: false,
  // Each decoded Uint8Array owns its bytes instead of pinning the whole value buffer.
  copyBuffers: true,
  int64AsType: 'number',
});

export function encodeValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

/**
 * Decodes a stored value. Bytes that are not exactly one MessagePack value, or that decode to
 * something no commit could have written (undefined, a timestamp, a reserved type), mean corruption.
 */
export function decodeValue(bytes: Uint8Array, key: string): unknown {
  // A plain Uint8Array view (not a Buffer) makes msgpackr hand back plain Uint8Arrays.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let decoded: unknown;
  try {
    decoded = packr.unpack(view);
  } catch (error) {
    throw corrupt(`${key}: value is not valid MessagePack`, error);
  }
  const value = fromWire(decoded);
  const problem = storableProblem(value);
  if (problem !== null) throw corrupt(`${key}: value holds ${problem}`);
  return value;
}

function fromWire(value: unknown): unknown {
  if (value instanceof Map) {
    return Object.fromEntries(Array.from(value, ([name, field]) => [String(name), fromWire(field)]));
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromWire(value[i]);
  }
  return value;
}
