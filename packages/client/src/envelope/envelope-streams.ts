/**
 * Envelope encryption of streams, as node:stream Transforms: bytes in, message out (and back). The
 * encryptor emits the header once it has a data key, then a frame each time a full frame of
 * plaintext has arrived, and the final frame at the end. The decryptor emits a frame's plaintext
 * only after that frame authenticated; it fails at the end if the final frame never came. So a
 * consumer must treat what it read as unconfirmed until the stream ends without an error, as with
 * any streaming AEAD (the AWS Encryption SDK says the same).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { KeyObject } from 'node:crypto';
import { invalidInput } from '../client-error.ts';
import { ByteQueue } from './byte-queue.ts';
import { checkExpectedContext } from './envelope-buffer.ts';
import { sealFrame } from './envelope-crypto.ts';
import { envelopeError } from './envelope-errors.ts';
import { checkFrameLength, DEFAULT_FRAME_LENGTH, FINAL_FRAME_OVERHEAD, MAX_SEQUENCE, parseHeader, REGULAR_FRAME_OVERHEAD, TAG_BYTES } from './envelope-format.ts';
import { FrameReader, truncated } from './frame-reader.ts';
import type { DataKeySource } from './data-key-source.ts';
import type { EnvelopeDecryptOptions, EnvelopeHeaderInfo, EnvelopeStreamOptions } from './envelope-types.ts';

/** Runs an async step of a Transform and reports its outcome through the callback. */
function settle(step: Promise<void>, callback: TransformCallback): void {
  step.then(() => callback(), (error: unknown) => callback(error as Error));
}

export class EnvelopeEncryptStream extends Transform {
  readonly #source: DataKeySource;
  readonly #keyId: string;
  readonly #options: EnvelopeStreamOptions;
  readonly #frameLength: number;
  readonly #queue = new ByteQueue();
  readonly #messageId: Buffer;
  #messageKey: KeyObject | null = null;
  #sequence = 1;
  #received = 0;

  constructor(source: DataKeySource, keyId: string, options: EnvelopeStreamOptions, newMessageId: () => Buffer) {
    super();
    this.#source = source;
    this.#keyId = keyId;
    this.#options = options;
    this.#frameLength = checkFrameLength(options.frameLength ?? DEFAULT_FRAME_LENGTH);
    const hint = options.plaintextLength;
    if (hint !== undefined && (!Number.isSafeInteger(hint) || hint < 0)) throw invalidInput('plaintextLength must be a non-negative integer');
    this.#messageId = newMessageId();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    settle(this.#write(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    settle(this.#end(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#messageKey = null;
    callback(error);
  }

  async #start(): Promise<KeyObject> {
    if (this.#messageKey !== null) return this.#messageKey;
    const { encryptionContext, plaintextLength } = this.#options;
    const materials = await this.#source.forEncrypt({
      keyId: this.#keyId, encryptionContext, plaintextBytes: plaintextLength ?? null, messageId: this.#messageId, frameLength: this.#frameLength,
    });
    this.push(materials.header);
    this.#messageKey = materials.messageKey;
    return materials.messageKey;
  }

  async #write(chunk: Buffer): Promise<void> {
    const key = await this.#start();
    this.#received += chunk.length;
    const hint = this.#options.plaintextLength;
    // The cache counted `hint` bytes against the data key; more would escape its byte limit.
    if (hint !== undefined && this.#received > hint) throw invalidInput(`the stream received more than its plaintextLength of ${hint} bytes`);
    this.#queue.push(chunk);
    // Strictly more than a frame: the last full frame may turn out to be the final one.
    while (this.#queue.length > this.#frameLength) {
      if (this.#sequence === MAX_SEQUENCE) throw invalidInput('the stream needs more frames than the format allows; use a larger frameLength');
      this.push(this.#seal(key, false, this.#queue.take(this.#frameLength)));
    }
  }

  async #end(): Promise<void> {
    const key = await this.#start();
    const hint = this.#options.plaintextLength;
    if (hint !== undefined && this.#received !== hint) throw invalidInput(`the stream received ${this.#received} bytes, not its plaintextLength of ${hint}`);
    this.push(this.#seal(key, true, this.#queue.take(this.#queue.length)));
    this.#messageKey = null;
  }

  #seal(key: KeyObject, final: boolean, plaintext: Buffer): Buffer {
    const frame = Buffer.allocUnsafe((final ? FINAL_FRAME_OVERHEAD : REGULAR_FRAME_OVERHEAD) + plaintext.length);
    sealFrame(key, this.#messageId, frame, 0, final, this.#sequence, plaintext);
    this.#sequence += 1;
    return frame;
  }
}

/** Emits 'header' (EnvelopeHeaderInfo) once the header authenticated, then plaintext frame by frame. */
export class EnvelopeDecryptStream extends Transform {
  readonly #source: DataKeySource;
  readonly #options: EnvelopeDecryptOptions;
  readonly #queue = new ByteQueue();
  #reader: FrameReader | null = null;
  #frames = 0;

  constructor(source: DataKeySource, options: EnvelopeDecryptOptions) {
    super();
    this.#source = source;
    this.#options = options;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#queue.push(chunk);
    settle(this.#drain(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#reader === null) return callback(truncated('inside its header'));
    if (!this.#reader.done) return callback(truncated(`before its final frame, after ${this.#frames} frames`));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#reader?.dispose();
    callback(error);
  }

  async #readHeader(): Promise<FrameReader | null> {
    const header = parseHeader(this.#queue.peek(this.#queue.length));
    if (header === null) return null;
    checkExpectedContext(header, this.#options);
    const messageKey = await this.#source.forDecrypt(header);
    const info: EnvelopeHeaderInfo = { keyId: header.keyId, encryptionContext: header.encryptionContext, messageId: Buffer.from(header.messageId) };
    this.#queue.take(header.length);
    this.emit('header', info);
    return new FrameReader(header, messageKey);
  }

  async #drain(): Promise<void> {
    this.#reader ??= await this.#readHeader();
    const reader = this.#reader;
    if (reader === null) return;
    while (this.#queue.length > 0) {
      if (reader.done) throw envelopeError(`${this.#queue.length} bytes follow the final frame`);
      const head = reader.head(this.#queue.peek(FINAL_FRAME_OVERHEAD - TAG_BYTES));
      if (head === null || this.#queue.length < head.totalLength) return;
      this.push(reader.open(head, this.#queue.take(head.totalLength)));
      this.#frames += 1;
    }
  }
}
