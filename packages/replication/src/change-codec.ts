/**
 * Bytes on the stream: msgpack of { payload, signer, signature }, where payload is the msgpack of a
 * ChangeEnvelope and signature is the origin region's Ed25519 signature over the payload bytes.
 * Decoding verifies the signature against the PINNED key of the claimed signer before anything in
 * the payload is believed.
 *
 * One shortcut, with the same outcome: a change this process signed comes back to it on the stream,
 * and verifying Ed25519 costs ~0.1 ms of CPU per change. Ed25519 signing is deterministic and a
 * signature made with a private key always verifies under its public key, so when the bytes that
 * come back are exactly a (payload, signature) pair signed here, and the pinned key of the claimed
 * signer IS the public key of the private key that signed them, the signature verifies; the check
 * then compares bytes instead. Anything else (other bytes, another signer, a key pinned differently)
 * is verified as before.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { Packr } from 'msgpackr';
import { LatchkeyError, type ChangeEnvelope } from '@latchkey/core';
import { signBytes, verifyBytes } from '@latchkey/crypto';

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

interface SignedChange {
  readonly payload: Uint8Array;
  readonly signer: string;
  readonly signature: Uint8Array;
}

/** Pairs signed here that have not come back yet, by signature (base64); oldest first, bounded. */
const signedHere = new Map<string, { readonly payload: Uint8Array; readonly publicKey: KeyObject }>();
const SIGNED_HERE_KEPT = 4096;
const publicKeys = new WeakMap<KeyObject, KeyObject>();

function publicKeyOf(signingPrivate: KeyObject): KeyObject {
  let publicKey = publicKeys.get(signingPrivate);
  if (!publicKey) publicKeys.set(signingPrivate, (publicKey = createPublicKey(signingPrivate)));
  return publicKey;
}

const signatureId = (signature: Uint8Array): string => Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64');

export function encodeChange(envelope: ChangeEnvelope, signingPrivate: KeyObject): Uint8Array {
  // Its own copy: these bytes are compared with what comes back from the stream.
  const payload = Uint8Array.from(packr.pack(envelope));
  const signature = signBytes(signingPrivate, payload);
  const signed: SignedChange = { payload, signer: envelope.origin, signature };
  signedHere.set(signatureId(signature), { payload, publicKey: publicKeyOf(signingPrivate) });
  if (signedHere.size > SIGNED_HERE_KEPT) signedHere.delete(signedHere.keys().next().value as string);
  return packr.pack(signed);
}

/** True when exactly these bytes were signed here with the private key of `pinned` (see the header). */
function signedHereWith(pinned: KeyObject, payload: Uint8Array, signature: Uint8Array): boolean {
  const id = signatureId(signature);
  const mine = signedHere.get(id);
  if (!mine || !mine.publicKey.equals(pinned) || !Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).equals(mine.payload)) return false;
  signedHere.delete(id);
  return true;
}

function rejected(reason: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('ValidationException', `rejected replicated change: ${reason}`, cause === undefined ? undefined : { cause });
}

/** Verifies and decodes; `signingKeyOf` answers only for pinned regions. */
export function decodeChange(bytes: Uint8Array, signingKeyOf: (region: string) => KeyObject | undefined): ChangeEnvelope {
  let signed: SignedChange;
  try {
    signed = packr.unpack(bytes) as SignedChange;
  } catch (cause) {
    throw rejected('not msgpack', cause);
  }
  if (typeof signed?.signer !== 'string' || !(signed.payload instanceof Uint8Array) || !(signed.signature instanceof Uint8Array)) {
    throw rejected('not a signed change');
  }
  const key = signingKeyOf(signed.signer);
  if (!key) throw rejected(`signer ${JSON.stringify(signed.signer)} is not a pinned region`);
  if (!signedHereWith(key, signed.payload, signed.signature) && !verifyBytes(key, signed.payload, signed.signature)) throw rejected(`signature by ${signed.signer} does not verify`);
  let envelope: ChangeEnvelope;
  try {
    envelope = packr.unpack(signed.payload) as ChangeEnvelope;
  } catch (cause) {
    throw rejected('payload is not msgpack', cause);
  }
  if (envelope?.origin !== signed.signer) throw rejected('origin differs from signer');
  return envelope;
}
