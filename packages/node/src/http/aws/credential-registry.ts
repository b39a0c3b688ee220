/**
 * The AWS credentials this region knows. At rest each secret is wrapped under the region's root key
 * (one store entry holds them all, written in the same batch as the change that made it); the
 * clear secrets, which SigV4 needs as HMAC keys, live only in this process's memory.
 *
 * Changes arrive only through the ChangeApplier, which applies credential changes one at a time, so
 * each staged entry is computed from the one committed before it.
 */
import {
  credentialSecretAad, credentialTransportAad, type CredentialChange, type CredentialRecord,
} from '@latchkey/core';
import { unwrapForRegion, type RootKey } from '@latchkey/crypto';
import type { KeyStore } from '@latchkey/storage';
import type { Logger } from 'pino';
import type { RegionIdentity } from '../../region-identity.ts';

/** The store entry (a meta value) holding every credential of this region. */
export const CREDENTIALS_META = 'aws/credentials';

interface StoredCredential extends CredentialRecord {
  /** The secret wrapped under the root key; null when no region-wrapped copy reached this region. */
  readonly wrappedSecret: Uint8Array | null;
}

export interface StagedCredential {
  /** Meta entries to write in the change's batch. */
  readonly putMeta: Readonly<Record<string, unknown>>;
  /** Makes the change visible in memory, once the batch is durable. */
  commit(): void;
}

export class AwsCredentialRegistry {
  readonly #stored = new Map<string, StoredCredential>();
  readonly #secrets = new Map<string, Buffer>();

  static async load(store: KeyStore, rootKey: RootKey, log: Logger): Promise<AwsCredentialRegistry> {
    const registry = new AwsCredentialRegistry();
    const stored = (await store.getMeta<Record<string, StoredCredential>>(CREDENTIALS_META)) ?? {};
    for (const credential of Object.values(stored)) {
      registry.#stored.set(credential.accessKeyId, credential);
      if (credential.wrappedSecret === null) continue;
      try {
        registry.#secrets.set(credential.accessKeyId, Buffer.from(rootKey.unwrap(credential.wrappedSecret, credentialSecretAad(credential.accessKeyId))));
      } catch (error) {
        // One unreadable entry must not stop the node from serving keys; that credential stays unusable.
        log.error({ accessKeyId: credential.accessKeyId, err: (error as Error).message }, 'an AWS credential secret does not unwrap under this root key');
      }
    }
    return registry;
  }

  /** The principal and secret behind an access key id, when this region holds its secret. */
  lookup(accessKeyId: string): { principal: string; secret: Buffer } | undefined {
    const secret = this.#secrets.get(accessKeyId);
    const record = this.#stored.get(accessKeyId);
    return secret && record ? { principal: record.principal, secret } : undefined;
  }

  get(accessKeyId: string): CredentialRecord | undefined {
    const stored = this.#stored.get(accessKeyId);
    return stored ? { accessKeyId: stored.accessKeyId, principal: stored.principal, creationDateMs: stored.creationDateMs } : undefined;
  }

  list(): CredentialRecord[] {
    return [...this.#stored.keys()].sort().map((id) => this.get(id) as CredentialRecord);
  }

  /** Whether this region can verify signatures of the credential (its secret arrived and unwrapped). */
  usable(accessKeyId: string): boolean {
    return this.#secrets.has(accessKeyId);
  }

  /**
   * Plans a change: unwraps the secret addressed to this region (transport key), re-wraps it under
   * the root key for the store, and returns the store entry plus the in-memory commit.
   */
  stage(change: CredentialChange, adopt: boolean, identity: RegionIdentity, rootKey: RootKey): StagedCredential {
    const next = new Map(this.#stored);
    let secret: Buffer | null = null;
    if (change.credential === null) {
      next.delete(change.accessKeyId);
    } else {
      const wrapped = adopt ? change.wrapped[identity.region] : undefined;
      if (wrapped) secret = Buffer.from(unwrapForRegion(identity.transportPrivate, wrapped, credentialTransportAad(change.accessKeyId, identity.region)));
      const wrappedSecret = secret ? rootKey.wrap(secret, credentialSecretAad(change.accessKeyId)) : null;
      next.set(change.accessKeyId, { ...change.credential, wrappedSecret });
    }
    return {
      putMeta: { [CREDENTIALS_META]: Object.fromEntries(next) },
      commit: () => this.#commit(change.accessKeyId, next, secret),
    };
  }

  #commit(accessKeyId: string, next: Map<string, StoredCredential>, secret: Buffer | null): void {
    this.#secrets.get(accessKeyId)?.fill(0);
    this.#secrets.delete(accessKeyId);
    if (secret) this.#secrets.set(accessKeyId, secret);
    this.#stored.clear();
    for (const [id, credential] of next) this.#stored.set(id, credential);
  }
}
