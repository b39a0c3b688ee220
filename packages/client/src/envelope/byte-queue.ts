/**
 * Bytes received but not yet used by a stream, kept as the chunks they came in, so that a large
 * frame arriving in many small chunks is copied once (when it is complete), not once per chunk.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The first `count` bytes (at most what is queued), without consuming them. */
  peek(count: number): Buffer {
    const wanted = Math.min(count, this.#length);
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= wanted) return first.subarray(0, wanted);
    const joined = Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [joined];
    return joined.subarray(0, wanted);
  }

  /** Removes and returns the first `count` bytes (at most what is queued). */
  take(count: number): Buffer {
    const out = this.peek(count);
    this.#length -= out.length;
    const first = this.#chunks[0] as Buffer;
    if (first.length === out.length) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(out.length);
    return out;
  }
}
