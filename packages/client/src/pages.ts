/** Walks a marker-paged listing to its end, one page in memory at a time. */
import { invalidAnswer } from './error-mapping.ts';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextMarker?: string | undefined;
  readonly truncated: boolean;
}

export async function* walkPages<T>(fetchPage: (marker: string | undefined) => Promise<Page<T>>, what: string): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let marker: string | undefined;
  for (;;) {
    const page = await fetchPage(marker);
    yield* page.items;
    if (!page.truncated || page.nextMarker === undefined) return;
    // A node that hands out a marker twice would otherwise keep this loop going forever.
    if (seen.has(page.nextMarker)) {
      throw invalidAnswer({ operation: 'List', method: 'GET', path: what, effect: 'read' }, 200, null, `marker ${JSON.stringify(page.nextMarker)} came back twice`);
    }
    seen.add(page.nextMarker);
    marker = page.nextMarker;
  }
}
