/**
 * Marker pagination over an ordered stream: read one item past the limit to learn whether another
 * page exists, so the last page says nextMarker: null instead of sending callers to an empty one.
 */
import { invalid } from '@latchkey/core';
import type { Page } from './key-store.ts';

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalid('limit must be a positive integer');
  return limit;
}

export async function collectPage<T>(items: AsyncIterable<T>, limit: number, markerOf: (item: T) => string): Promise<Page<T>> {
  const page: T[] = [];
  for await (const item of items) {
    // Returning from inside for-await closes the underlying iterator (and its LevelDB snapshot).
    if (page.length === limit) return { items: page, nextMarker: markerOf(page[limit - 1] as T) };
    page.push(item);
  }
  return { items: page, nextMarker: null };
}
