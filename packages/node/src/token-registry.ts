/**
 * Bearer tokens: random, shown once, stored only as SHA-256 hashes. Lookup by hash is a Map read,
 * so authentication costs one hash per request.
 */
import { randomBytes } from 'node:crypto';
import { LatchkeyError, type Principal, type TokenRecord } from '@latchkey/core';
import { sha256Hex } from '@latchkey/crypto';

export const TOKEN_PREFIX = 'lk_';

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function newTokenId(): string {
  return 'tok_' + randomBytes(9).toString('base64url');
}

export class TokenRegistry {
  readonly #byHash = new Map<string, TokenRecord>();
  readonly #byId = new Map<string, TokenRecord>();

  constructor(records: readonly TokenRecord[]) {
    for (const record of records) this.put(record);
  }

  put(record: TokenRecord): void {
    this.#byHash.set(record.tokenHash, record);
    this.#byId.set(record.tokenId, record);
  }

  remove(tokenId: string): void {
    const record = this.#byId.get(tokenId);
    if (!record) return;
    this.#byId.delete(tokenId);
    this.#byHash.delete(record.tokenHash);
  }

  get(tokenId: string): TokenRecord | undefined {
    return this.#byId.get(tokenId);
  }

  list(): TokenRecord[] {
    return [...this.#byId.values()];
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The principal behind an Authorization header value, or a typed 401. */
  authenticate(authorization: string | undefined): Principal {
    if (!authorization) throw new LatchkeyError('MissingAuthenticationTokenException', 'missing Authorization: Bearer <token> header');
    const match = /^Bearer ([A-Za-z0-9_\-]{1,200})$/.exec(authorization);
    if (!match) throw new LatchkeyError('UnrecognizedClientException', 'the Authorization header must be Bearer <token>');
    const record = this.#byHash.get(sha256Hex(match[1] as string));
    if (!record) throw new LatchkeyError('UnrecognizedClientException', 'the bearer token is not valid');
    return { principal: record.principal, admin: record.admin };
  }
}

export function requireAdmin(principal: Principal): void {
  if (!principal.admin) throw new LatchkeyError('AccessDeniedException', `principal ${principal.principal} is not an administrator`);
}
