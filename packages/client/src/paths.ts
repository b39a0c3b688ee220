/**
 * Paths of the native API, encoded as docs/api.md asks: a key id or alias in a key path is one
 * segment (`alias/billing` -> `alias%2Fbilling`); an alias name in an alias path keeps its slashes.
 */
import { invalidInput } from './client-error.ts';

function segment(field: string, value: string): string {
  // URL parsing removes '.' and '..' segments, even percent-encoded (%2E%2E), so such a name would
  // address a different route; no key id, alias or token id can be one, so refuse it here.
  if (value === '.' || value === '..') throw invalidInput(`${field} must not be a '.' or '..' path segment`);
  return encodeURIComponent(value);
}

function requireName(field: string, value: unknown): string {
  // An empty id would address a different route (GET /v1/keys/ is not DescribeKey).
  if (typeof value !== 'string' || value.length === 0) throw invalidInput(`${field} must be a non-empty string`);
  return value;
}

/** `/v1/keys/{keyId}` or `/v1/keys/{keyId}/{action}`. */
export function keyPath(keyId: string, action?: string): string {
  const base = `/v1/keys/${segment('keyId', requireName('keyId', keyId))}`;
  return action === undefined ? base : `${base}/${action}`;
}

export function aliasPath(aliasName: string): string {
  const segments = requireName('aliasName', aliasName).split('/').map((part) => segment('aliasName', part));
  return `/v1/aliases/${segments.join('/')}`;
}

export function tokenPath(tokenId: string): string {
  return `/v1/tokens/${segment('tokenId', requireName('tokenId', tokenId))}`;
}
