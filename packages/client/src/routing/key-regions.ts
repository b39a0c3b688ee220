/**
 * What the client has seen of each key's region policy (`keyMetadata.regions`, null = every region),
 * from the answers of describe, create and every control-plane write. A key the client has not seen
 * is unconstrained: the node refuses it where it is not allowed (KeyNotAllowedInRegionException) and
 * the router then learns the policy. Entries expire after `ttlMs`, since a policy can be changed from
 * elsewhere and an alias can be moved to another key; the map is bounded, least recently used first out.
 */

export interface KeyRegionsOptions {
  readonly ttlMs: number;
  readonly capacity: number;
  readonly nowMs: () => number;
}

interface Entry {
  readonly regions: ReadonlySet<string> | null;
  readonly learnedAtMs: number;
}

export class KeyRegions {
  readonly #entries = new Map<string, Entry>();
  readonly #options: KeyRegionsOptions;

  constructor(options: KeyRegionsOptions) {
    this.#options = options;
  }

  learn(reference: string, regions: readonly string[] | null): void {
    this.#entries.delete(reference);
    this.#entries.set(reference, { regions: regions === null ? null : new Set(regions), learnedAtMs: this.#options.nowMs() });
    if (this.#entries.size > this.#options.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** The policy of one key, `undefined` when unknown or expired. */
  regionsOf(reference: string): ReadonlySet<string> | null | undefined {
    const entry = this.#entries.get(reference);
    if (entry === undefined) return undefined;
    if (this.#options.nowMs() - entry.learnedAtMs >= this.#options.ttlMs) {
      this.#entries.delete(reference);
      return undefined;
    }
    return entry.regions;
  }

  /** Regions every one of the keys may be used in; null when none of them is known to be pinned. */
  allowedFor(references: readonly string[] | undefined): ReadonlySet<string> | null {
    let allowed: ReadonlySet<string> | null = null;
    for (const reference of references ?? []) {
      const regions = this.regionsOf(reference);
      if (regions === undefined || regions === null) continue;
      const before: ReadonlySet<string> = allowed ?? regions;
      allowed = new Set([...before].filter((region) => regions.has(region)));
    }
    return allowed;
  }
}

/** The key metadata in an answer body, if it carries one (`{ keyMetadata: { keyId, regions } }`). */
export function keyPolicyIn(body: unknown): { keyId: string; regions: readonly string[] | null } | null {
  if (typeof body !== 'object' || body === null) return null;
  const metadata = (body as { keyMetadata?: unknown }).keyMetadata;
  if (typeof metadata !== 'object' || metadata === null) return null;
  const { keyId, regions } = metadata as { keyId?: unknown; regions?: unknown };
  if (typeof keyId !== 'string') return null;
  if (regions === null) return { keyId, regions: null };
  if (Array.isArray(regions) && regions.every((region) => typeof region === 'string')) return { keyId, regions };
  return null;
}
