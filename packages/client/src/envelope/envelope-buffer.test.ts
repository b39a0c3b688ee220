// Proves the envelope format (docs/envelope-format.md) on whole buffers: every size round-trips,
// empty and multi-frame included, under random frame lengths and contexts (a fast-check property,
// seed fixed, LATCHKEY_SEED to replay); and every kind of tampering fails with
// InvalidCiphertextException before any plaintext is returned: any single changed byte, frames
// reordered, dropped or repeated, truncation at any length, trailing bytes, the wrong context, and
// frames or a header tag spliced in from another message under the same cached data key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatchkeyClientError } from '../client-error.ts';
import { DataKeySource } from './data-key-source.ts';
import { DEFAULT_CACHE_LIMITS } from './data-key-cache.ts';
import { decryptEnvelope, encryptEnvelope } from './envelope-buffer.ts';
import { parseFrameHead, parseHeader } from './envelope-format.ts';
import { fakeKms } from './fake-kms.test-support.ts';
import { newMessageId } from './message-ids.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);
const CONTEXT = { tenant: 't-1', purpose: 'backup' };

function setup(cached = true) {
  const kms = fakeKms({ 'alias/app': 'key-1' });
  const source = new DataKeySource(kms, cached ? DEFAULT_CACHE_LIMITS : null, () => 0, () => undefined);
  const seal = (plaintext: Uint8Array, frameLength?: number, encryptionContext: Record<string, string> = CONTEXT) =>
    encryptEnvelope(source, 'alias/app', plaintext, { encryptionContext, frameLength }, newMessageId).then((m) => Buffer.from(m));
  const open = (message: Uint8Array, encryptionContext?: Record<string, string>) => decryptEnvelope(source, message, { encryptionContext });
  return { kms, seal, open };
}

async function rejection(promise: Promise<unknown>): Promise<LatchkeyClientError> {
  const error: unknown = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LatchkeyClientError);
  expect((error as LatchkeyClientError).code).toBe('InvalidCiphertextException');
  return error as LatchkeyClientError;
}

/** Byte ranges of each frame of a message. */
function frames(message: Buffer): Buffer[] {
  const header = parseHeader(message);
  if (header === null) throw new Error('no header');
  const out: Buffer[] = [];
  for (let offset = header.length; offset < message.length;) {
    const head = parseFrameHead(message, offset, header.frameLength);
    if (head === null) throw new Error('bad frame');
    out.push(message.subarray(offset, offset + head.totalLength));
    offset += head.totalLength;
  }
  return out;
}

const headerOf = (message: Buffer) => message.subarray(0, parseHeader(message)?.length);

describe('round trip', () => {
  it.each([0, 1, 15, 16, 17, 48, 1_000])('%i bytes with 16-byte frames', async (size) => {
    const { seal, open } = setup();
    const plaintext = Buffer.alloc(size, 0xa7);
    const message = await seal(plaintext, 16);
    expect(frames(message)).toHaveLength(Math.max(1, Math.ceil(size / 16)));
    const opened = await open(message, CONTEXT);
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(opened).toMatchObject({ keyId: 'key-1', encryptionContext: CONTEXT });
  });

  it('round-trips random sizes, frame lengths and contexts (property)', async () => {
    const { seal, open } = setup();
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 3_000 }), fc.integer({ min: 1, max: 700 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      async (plaintext, frameLength, context) => {
        const opened = await open(await seal(plaintext, frameLength, context));
        expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
        expect(opened.encryptionContext).toEqual(context);
      },
    ), { seed: SEED, numRuns: 150 });
  });

  it('gives two messages under one cached data key different message ids and different ciphertexts', async () => {
    const { kms, seal } = setup();
    const [a, b] = [await seal(Buffer.alloc(64)), await seal(Buffer.alloc(64))];
    expect(kms.calls.generate).toBe(1);
    expect(parseHeader(a)?.messageId.equals(parseHeader(b)?.messageId as Buffer)).toBe(false);
    expect(frames(a)[0]?.equals(frames(b)[0] as Buffer)).toBe(false);
  });
});

describe('tampering fails', () => {
  it('for every single changed byte of a multi-frame message (exhaustive)', async () => {
    const { seal, open } = setup();
    const message = await seal(Buffer.from('forty bytes of plaintext, in 3 frames..'), 16);
    for (let i = 0; i < message.length; i++) {
      const tampered = Buffer.from(message);
      tampered[i] = (tampered[i] as number) ^ 0x01;
      await rejection(open(tampered));
    }
  });

  it('for a random byte changed in random messages (property)', async () => {
    const { seal, open } = setup();
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }),
      async (plaintext, frameLength, at, mask) => {
        const tampered = await seal(plaintext, frameLength);
        const index = at % tampered.length;
        tampered[index] = (tampered[index] as number) ^ mask;
        await rejection(open(tampered));
      },
    ), { seed: SEED, numRuns: 150 });
  });

  it('for frames reordered, dropped or repeated', async () => {
    const { seal, open } = setup();
    const message = await seal(Buffer.alloc(40, 1), 16);
    const [f1, f2, f3] = frames(message) as [Buffer, Buffer, Buffer];
    const header = headerOf(message);
    expect((await rejection(open(Buffer.concat([header, f2, f1, f3])))).message).toMatch(/out of order or missing: expected frame 1, found frame 2/);
    expect((await rejection(open(Buffer.concat([header, f1, f3])))).message).toMatch(/expected frame 2, found frame 3/);
    expect((await rejection(open(Buffer.concat([header, f1, f1, f2, f3])))).message).toMatch(/expected frame 2, found frame 1/);
  });

  it('for a message cut at any length, and for bytes after the final frame', async () => {
    const { seal, open } = setup();
    const message = await seal(Buffer.alloc(40, 2), 16);
    for (let length = 0; length < message.length; length++) {
      expect((await rejection(open(message.subarray(0, length)))).message).toMatch(/truncated|magic/);
    }
    expect((await rejection(open(Buffer.concat([message, Buffer.of(0)])))).message).toMatch(/1 bytes follow the final frame/);
  });

  it('for a final frame dropped at a frame boundary, naming it', async () => {
    const { seal, open } = setup();
    const message = await seal(Buffer.alloc(40, 3), 16);
    const [f1, f2] = frames(message) as [Buffer, Buffer];
    expect((await rejection(open(Buffer.concat([headerOf(message), f1, f2])))).message).toMatch(/before its final frame, after 2 frames/);
  });

  it('for the wrong expected context, before any service call', async () => {
    const { kms, seal, open } = setup(false);
    const message = await seal(Buffer.alloc(8));
    expect((await rejection(open(message, { tenant: 't-2', purpose: 'backup' }))).message).toMatch(/encryption context is not the expected one/);
    expect(kms.calls.decrypt).toBe(0);
  });

  it('for frames or a header tag taken from another message under the same data key', async () => {
    const { kms, seal, open } = setup();
    const a = await seal(Buffer.alloc(40, 4), 16);
    const b = await seal(Buffer.alloc(40, 5), 16);
    expect(kms.calls.generate).toBe(1);
    expect((await rejection(open(Buffer.concat([headerOf(a), ...frames(b)])))).message).toMatch(/frame 1 failed authentication/);
    const forgedHeader = Buffer.from(headerOf(a));
    headerOf(b).subarray(-16).copy(forgedHeader, forgedHeader.length - 16);
    expect((await rejection(open(Buffer.concat([forgedHeader, ...frames(a)])))).message).toMatch(/header authentication failed/);
  });

  it('for a changed encryption context, which the service refuses to unwrap under', async () => {
    const { seal, open } = setup(false);
    const message = await seal(Buffer.alloc(8), undefined, { tenant: 'aa' });
    const at = message.indexOf(Buffer.from('aa'));
    message[at] = 'b'.charCodeAt(0);
    await rejection(open(message));
  });

  it('for something that is not an envelope message at all', async () => {
    const { open } = setup();
    expect((await rejection(open(Buffer.from('hello world, not a message')))).message).toMatch(/bad magic/);
    expect((await rejection(open(new Uint8Array(0)))).message).toMatch(/truncated/);
  });
});
