/** `--tag k=v` and `--context k=v` pairs: split at the first '=', so values may contain '='. */
import { UsageError } from './usage-error.ts';
import type { StringMap } from './command.ts';

export function parsePairs(flag: string, pairs: readonly string[]): StringMap | undefined {
  if (pairs.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes key=value, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, at);
    // Two values for one key is a typo, and which one would win is not obvious: refuse it.
    if (Object.hasOwn(map, key)) throw new UsageError(`--${flag} names ${JSON.stringify(key)} twice`);
    map[key] = pair.slice(at + 1);
  }
  return map;
}
