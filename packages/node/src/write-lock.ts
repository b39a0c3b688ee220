/**
 * Serializes control-plane writes on one node, so that each read-modify-write of a key sees the
 * result of the one before. (Across regions, the replication layer adds compare-and-set.)
 */
export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
