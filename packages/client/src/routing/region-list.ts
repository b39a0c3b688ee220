/**
 * The regions a client may talk to: names as the cluster knows them (a key's `regions` policy uses
 * the same names) and base URLs, checked once when the client is built. Also reads the manifest that
 * `pnpm cluster:up` writes, so that tools and tests need no second copy of the URLs.
 */
import { readFile } from 'node:fs/promises';
import { invalidOption } from '../client-error.ts';
import { parseBaseUrl } from '../http-requester.ts';

export interface RegionEndpoint {
  /** The region's name in the cluster (`eu`, `us-east`): the names key policies list. */
  readonly name: string;
  /** Base URL of the region's node or load balancer. */
  readonly url: string;
}

export function checkRegions(regions: readonly RegionEndpoint[], homeRegion: string): RegionEndpoint[] {
  if (!Array.isArray(regions) || regions.length === 0) throw invalidOption('regions must list at least one region');
  const names = new Set<string>();
  const checked = regions.map((region) => {
    if (typeof region?.name !== 'string' || region.name.length === 0) throw invalidOption('every region needs a non-empty name');
    if (names.has(region.name)) throw invalidOption(`region ${region.name} is listed twice`);
    names.add(region.name);
    return { name: region.name, url: parseBaseUrl(region.url) };
  });
  if (!names.has(homeRegion)) throw invalidOption(`homeRegion ${JSON.stringify(homeRegion)} is not one of the regions (${[...names].join(', ')})`);
  return checked;
}

export interface ManifestRegions {
  readonly regions: RegionEndpoint[];
  /** The cluster's admin token, when the manifest holds one (local clusters do). */
  readonly adminToken: string | null;
}

/** Reads `<base>/manifest.json` of `pnpm cluster:up`: `{ regions: [{ name, url, ... }], adminToken }`. */
export async function readManifestRegions(path: string): Promise<ManifestRegions> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw invalidOption(`cannot read the cluster manifest ${path}: ${(error as Error).message}`);
  }
  const { regions, adminToken } = (parsed ?? {}) as { regions?: unknown; adminToken?: unknown };
  if (!Array.isArray(regions)) throw invalidOption(`the cluster manifest ${path} has no regions list`);
  return {
    regions: regions.map((region: { name?: unknown; url?: unknown }) => ({ name: String(region?.name ?? ''), url: String(region?.url ?? '') })),
    adminToken: typeof adminToken === 'string' && adminToken.length > 0 ? adminToken : null,
  };
}
