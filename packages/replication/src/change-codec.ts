/**
 * Bytes on the stream: msgpack of { payload, signer, signature }, where payload is the msgpack of a
 * ChangeEnvelope and signature is the origin region's Ed25519 signature over the payload bytes.
 * Decoding verifies the signature against the PINNED key of the claimed signer before anything in
 * the payload is believed.
 */
import type { KeyObject } from 'node:crypto';
import { Packr } from 'msgpackr';
import { LatchkeyError, type ChangeEnvelope } from '@latchkey/core';
import { signBytes, verifyBytes } from '@latchkey/crypto';

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

interface SignedChange {
  readonly payload: Uint8Array;
  readonly signer: string;
  readonly signature: Uint8Array;
}

export function encodeChange(envelope: ChangeEnvelope, signingPrivate: KeyObject): Uint8Array {
  const payload = packr.pack(envelope);
  const signed: SignedChange = { payload, signer: envelope.origin, signature: signBytes(signingPrivate, payload) };
  return packr.pack(signed);
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
  if (!verifyBytes(key, signed.payload, signed.signature)) throw rejected(`signature by ${signed.signer} does not verify`);
  let envelope: ChangeEnvelope;
  try {
    envelope = packr.unpack(signed.payload) as ChangeEnvelope;
  } catch (cause) {
    throw rejected('payload is not msgpack', cause);
  }
  if (envelope?.origin !== signed.signer) throw rejected('origin differs from signer');
  return envelope;
}
