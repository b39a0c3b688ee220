/**
 * The in-memory engine: a Map plus a lazily sorted key list. Values are deep-copied on the way in
 * and out (copyStorable), so a caller can neither mutate stored state nor see another caller's
 * changes, just as with bytes on disk. A closed engine refuses every call, as LevelDB does.
 */
import { compareCodePoints } from './code-point-order.ts';
import type { KeyRange } from './key-layout.ts';
import type { KvEngine, KvOp } from './kv-engine.ts';
import { copyStorable } from './storable.ts';
import { unavailable } from './storage-errors.ts';

/** Index of the first key not below `bound` (or above it, when `exclusive`). */
function lowerBound(sorted: readonly string[], bound: string, exclusive: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareCodePoints(sorted[middle] as string, bound);
    if (order < 0 || (exclusive && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function createMemoryEngine(): KvEngine {
  const values = new Map<string, unknown>();
  let sorted: string[] | null = null;
  let isOpen = false;

  function requireOpen(): void {
    if (!isOpen) throw unavailable('the memory store is not open');
  }

  function sortedKeys(): string[] {
    sorted ??= [...values.keys()].sort(compareCodePoints);
    return sorted;
  }

  function apply(op: KvOp): void {
    const existed = values.has(op.key);
    if (op.type === 'put') values.set(op.key, copyStorable(op.value));
    else values.delete(op.key);
    if (existed !== values.has(op.key)) sorted = null;
  }

  /** Keys and current values in range; stored values are replaced, never mutated, so this is a snapshot. */
  function snapshot(range: KeyRange): Array<readonly [string, unknown]> {
    const keys = sortedKeys();
    const from = lowerBound(keys, range.gt ?? range.gte ?? '', range.gt !== undefined);
    const to = lowerBound(keys, range.lt, false);
    return keys.slice(from, to).map((key) => [key, values.get(key)] as const);
  }

  return {
    async open() {
      isOpen = true;
    },
    async close() {
      isOpen = false;
    },
    async write(ops) {
      requireOpen();
      // Synchronous from here on: no other call can observe half of the batch.
      for (const op of ops) apply(op);
    },
    async get(key) {
      requireOpen();
      const value = values.get(key);
      return value === undefined ? undefined : copyStorable(value);
    },
    async *entries(range) {
      requireOpen();
      for (const [key, value] of snapshot(range)) {
        requireOpen();
        yield [key, copyStorable(value)] as const;
      }
    },
  };
}
