// Proves the streaming variants speak the same format as the buffer functions (each decrypts the
// other's messages), whatever the chunking; that the decryptor emits the authenticated header and
// fails on tampering and truncation; and that a length hint lets a stream share a cached data key
// while holding it to that length.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DataKeySource } from './data-key-source.ts';
import { DEFAULT_CACHE_LIMITS } from './data-key-cache.ts';
import { decryptEnvelope, encryptEnvelope } from './envelope-buffer.ts';
import { EnvelopeDecryptStream, EnvelopeEncryptStream } from './envelope-streams.ts';
import { fakeKms } from './fake-kms.test-support.ts';
import { newMessageId } from './message-ids.ts';
import type { EnvelopeHeaderInfo, EnvelopeStreamOptions } from './envelope-types.ts';

const CONTEXT = { bucket: 'b1' };

function setup() {
  const kms = fakeKms();
  const source = new DataKeySource(kms, DEFAULT_CACHE_LIMITS, () => 0, () => undefined);
  return { kms, source };
}

/** Splits bytes into chunks of the given sizes, cycling. */
function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

async function through(stream: NodeJS.ReadWriteStream, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), stream, new Writable({ write(chunk, _e, done) { out.push(chunk); done(); } }));
  return Buffer.concat(out);
}

const encryptStream = (source: DataKeySource, options: EnvelopeStreamOptions = {}) =>
  new EnvelopeEncryptStream(source, 'k', { encryptionContext: CONTEXT, frameLength: 1_000, ...options }, newMessageId);

describe('envelope streams', () => {
  it.each([[0, [7]], [1, [1]], [999, [10, 333]], [1_000, [1_000]], [1_001, [1]], [25_000, [4_096, 1, 17_000]]])(
    '%i bytes in chunks of %j: stream in, buffer out and back',
    async (size, sizes) => {
      const { source } = setup();
      const plaintext = Buffer.alloc(size, 0x3c);
      const message = await through(encryptStream(source), chunked(plaintext, sizes));
      expect(Buffer.from((await decryptEnvelope(source, message, { encryptionContext: CONTEXT })).plaintext).equals(plaintext)).toBe(true);
      const again = await encryptEnvelope(source, 'k', plaintext, { encryptionContext: CONTEXT, frameLength: 1_000 }, newMessageId);
      expect((await through(new EnvelopeDecryptStream(source, {}), chunked(Buffer.from(again), [3, 500]))).equals(plaintext)).toBe(true);
    },
  );

  it('emits the header once it authenticated', async () => {
    const { source } = setup();
    const message = await through(encryptStream(source), [Buffer.from('x')]);
    const decrypting = new EnvelopeDecryptStream(source, {});
    const headers: EnvelopeHeaderInfo[] = [];
    decrypting.on('header', (info: EnvelopeHeaderInfo) => headers.push(info));
    await through(decrypting, [message]);
    expect(headers).toMatchObject([{ keyId: 'k', encryptionContext: CONTEXT }]);
  });

  it('fails on a changed byte, on truncation and on trailing bytes', async () => {
    const { source } = setup();
    const message = await through(encryptStream(source), [Buffer.alloc(2_500, 1)]);
    const flipped = Buffer.from(message);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] as number) ^ 0x80;
    await expect(through(new EnvelopeDecryptStream(source, {}), chunked(flipped, [100]))).rejects.toMatchObject({ code: 'InvalidCiphertextException' });
    await expect(through(new EnvelopeDecryptStream(source, {}), [message.subarray(0, message.length - 1)])).rejects.toThrow(/truncated/);
    await expect(through(new EnvelopeDecryptStream(source, {}), [message.subarray(0, 30)])).rejects.toThrow(/truncated: it ends inside its header/);
    await expect(through(new EnvelopeDecryptStream(source, {}), [message, Buffer.of(1, 2)])).rejects.toThrow(/2 bytes follow the final frame/);
    await expect(through(new EnvelopeDecryptStream(source, { encryptionContext: { bucket: 'b2' } }), [message])).rejects.toThrow(/not the expected one/);
  });

  it('gives a stream without a length hint a data key of its own, and one with a hint a cached key', async () => {
    const { kms, source } = setup();
    await through(encryptStream(source), [Buffer.alloc(10)]);
    await through(encryptStream(source), [Buffer.alloc(10)]);
    expect(kms.calls.generate).toBe(2);
    await through(encryptStream(source, { plaintextLength: 10 }), [Buffer.alloc(10)]);
    await through(encryptStream(source, { plaintextLength: 10 }), [Buffer.alloc(10)]);
    expect(kms.calls.generate).toBe(3);
  });

  it('holds a hinted stream to its length', async () => {
    const { source } = setup();
    await expect(through(encryptStream(source, { plaintextLength: 5 }), [Buffer.alloc(6)])).rejects.toThrow(/more than its plaintextLength/);
    await expect(through(encryptStream(source, { plaintextLength: 5 }), [Buffer.alloc(4)])).rejects.toThrow(/not its plaintextLength/);
  });
});
