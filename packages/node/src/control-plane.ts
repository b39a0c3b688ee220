/**
 * Control-plane operations of a region node: every change to keys, aliases and tokens. Each one
 * decides the new state with the pure core, generates and wraps any new material, commits it all
 * in one durable batch, and only then updates the in-memory view and answers.
 */
import {
  KEY_SPEC_INFO, LatchkeyError, applyKeyCommand, commandEffects, createKeyRecord, materialAad, validateAliasName,
  validateRegions,
  type AliasRecord, type Clock, type IdSource, type KeyCommand, type KeyRecord, type KeySpec, type KeyUsage,
  type Principal, type TokenRecord, type VersionMaterial,
} from '@latchkey/core';
import { generateKeyMaterial, loadKey, sha256Hex, type LoadedKey, type RootKey } from '@latchkey/crypto';
import type { KeyStore, StoreBatch } from '@latchkey/storage';
import type { KeyDirectory } from './key-directory.ts';
import type { MaterialCache } from './material-cache.ts';
import { newToken, newTokenId, type TokenRegistry } from './token-registry.ts';
import { WriteLock } from './write-lock.ts';

export interface CreateKeyRequest {
  readonly keySpec?: KeySpec;
  readonly keyUsage?: KeyUsage;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly regions?: readonly string[] | null;
  readonly rotationPeriodDays?: number;
  readonly idempotencyKey?: string;
}

export interface ControlPlaneDeps {
  readonly region: string;
  /** Regions this deployment knows; a key's pinning policy may only name these. */
  readonly knownRegions: readonly string[];
  readonly store: KeyStore;
  readonly directory: KeyDirectory;
  readonly cache: MaterialCache;
  readonly tokens: TokenRegistry;
  readonly rootKey: RootKey;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** A new key version: wrapped for the store, loaded for the cache. */
interface FreshVersion {
  readonly wrapped: VersionMaterial;
  readonly loaded: LoadedKey;
}

export type KeyChangeListener = (before: KeyRecord | null, after: KeyRecord) => void;

export class ControlPlane {
  readonly #deps: ControlPlaneDeps;
  readonly #lock = new WriteLock();
  readonly #listeners: KeyChangeListener[] = [];

  constructor(deps: ControlPlaneDeps) {
    this.#deps = deps;
  }

  onKeyChange(listener: KeyChangeListener): void {
    this.#listeners.push(listener);
  }

  createKey(request: CreateKeyRequest, principal: Principal): Promise<{ record: KeyRecord; created: boolean }> {
    return this.#lock.run(async () => {
      const idempotencyName = request.idempotencyKey ? `idem/create/${principal.principal}/${request.idempotencyKey}` : null;
      if (idempotencyName) {
        const earlier = await this.#deps.store.getMeta<string>(idempotencyName);
        const earlierRecord = earlier ? this.#deps.directory.getKey(earlier) : undefined;
        if (earlierRecord) return { record: earlierRecord, created: false };
      }
      const keySpec = request.keySpec ?? 'SYMMETRIC_DEFAULT';
      const info = KEY_SPEC_INFO[keySpec];
      const keyUsage = request.keyUsage ?? defaultUsage(keySpec);
      const regions = request.regions === undefined || request.regions === null ? null : this.#checkRegions(request.regions);
      const nowMs = this.#deps.clock.nowMs();
      let record = createKeyRecord(
        { keyId: this.#deps.ids.newKeyId(), keySpec, keyUsage, description: request.description, tags: request.tags, regions },
        nowMs,
      );
      if (request.rotationPeriodDays !== undefined) {
        if (!info.rotatable) {
          throw new LatchkeyError('UnsupportedOperationException', `keys of spec ${keySpec} do not rotate; only SYMMETRIC_DEFAULT keys do`);
        }
        record = applyKeyCommand(record, { type: 'enableRotation', rotationPeriodDays: request.rotationPeriodDays }, nowMs);
      }
      const material = this.#newVersionMaterial(record, 1);
      await this.#commit({
        putKeys: [record],
        putMaterial: [material.wrapped],
        ...(idempotencyName ? { putMeta: { [idempotencyName]: record.keyId } } : {}),
      });
      this.#deps.cache.remember(record.keyId, 1, material.loaded);
      this.#applied(null, record);
      return { record, created: true };
    });
  }

  /** Applies a command to a key (by id or alias). Rotation may carry an idempotency key. */
  runCommand(reference: string, command: KeyCommand, options: { idempotencyKey?: string; principal?: Principal } = {}): Promise<KeyRecord> {
    return this.#lock.run(async () => {
      const before = this.#liveOrPending(reference);
      const idempotencyName = options.idempotencyKey && options.principal
        ? `idem/${command.type}/${options.principal.principal}/${before.keyId}/${options.idempotencyKey}`
        : null;
      if (idempotencyName && (await this.#deps.store.getMeta<number>(idempotencyName)) !== undefined) return before;
      const after = applyKeyCommand(before, command, this.#deps.clock.nowMs());
      if (command.type === 'setRegions' && after.regions !== null) this.#checkRegions(after.regions);
      const effects = commandEffects(before, after);
      const batch: { -readonly [K in keyof StoreBatch]: StoreBatch[K] } = { putKeys: [after] };
      let fresh: FreshVersion | null = null;
      if (effects.newVersion !== null) {
        fresh = this.#newVersionMaterial(after, effects.newVersion);
        batch.putMaterial = [fresh.wrapped];
      }
      if (effects.eraseMaterial) {
        batch.deleteMaterial = after.versions.map((v) => ({ keyId: after.keyId, keyVersion: v.keyVersion }));
      }
      if (idempotencyName) batch.putMeta = { [idempotencyName]: after.revision };
      await this.#commit(batch);
      if (fresh && effects.newVersion !== null) this.#deps.cache.remember(after.keyId, effects.newVersion, fresh.loaded);
      if (effects.eraseMaterial) this.#deps.cache.forget(after.keyId);
      this.#applied(before, after);
      return after;
    });
  }

  createAlias(aliasName: string, targetReference: string): Promise<AliasRecord> {
    return this.#lock.run(async () => {
      validateAliasName(aliasName);
      if (this.#deps.directory.getAlias(aliasName)) {
        throw new LatchkeyError('AlreadyExistsException', `alias ${aliasName} already exists`);
      }
      const target = this.#aliasTarget(targetReference);
      const nowMs = this.#deps.clock.nowMs();
      const alias: AliasRecord = { aliasName, targetKeyId: target.keyId, creationDateMs: nowMs, lastUpdatedDateMs: nowMs };
      await this.#commit({ putAliases: [alias] });
      this.#deps.directory.putAlias(alias);
      return alias;
    });
  }

  updateAlias(aliasName: string, targetReference: string): Promise<AliasRecord> {
    return this.#lock.run(async () => {
      const existing = this.#existingAlias(aliasName);
      const target = this.#aliasTarget(targetReference);
      const current = this.#deps.directory.getKey(existing.targetKeyId);
      if (current && (current.keySpec !== target.keySpec || current.keyUsage !== target.keyUsage)) {
        // As in AWS KMS: an alias may only move to a key of the same type and usage, so callers keep working.
        throw new LatchkeyError('ValidationException', `alias ${aliasName} can only point to a ${current.keySpec} key with usage ${current.keyUsage}`);
      }
      const alias: AliasRecord = { ...existing, targetKeyId: target.keyId, lastUpdatedDateMs: this.#deps.clock.nowMs() };
      await this.#commit({ putAliases: [alias] });
      this.#deps.directory.putAlias(alias);
      return alias;
    });
  }

  deleteAlias(aliasName: string): Promise<void> {
    return this.#lock.run(async () => {
      this.#existingAlias(aliasName);
      await this.#commit({ deleteAliases: [aliasName] });
      this.#deps.directory.deleteAlias(aliasName);
    });
  }

  createToken(principalName: string, admin: boolean): Promise<{ record: TokenRecord; token: string }> {
    return this.adoptToken(principalName, admin, newToken());
  }

  /** Registers a token made elsewhere (the first admin token, written to a file before this). */
  adoptToken(principalName: string, admin: boolean, token: string): Promise<{ record: TokenRecord; token: string }> {
    return this.#lock.run(async () => {
      if (!/^[A-Za-z0-9@._:\/-]{1,128}$/.test(principalName)) {
        throw new LatchkeyError('ValidationException', 'principal must be 1 to 128 characters of letters, digits and @._:/-');
      }
      const record: TokenRecord = {
        tokenId: newTokenId(), principal: principalName, admin, tokenHash: sha256Hex(token), creationDateMs: this.#deps.clock.nowMs(),
      };
      await this.#commit({ putTokens: [record] });
      this.#deps.tokens.put(record);
      return { record, token };
    });
  }

  revokeToken(tokenId: string): Promise<void> {
    return this.#lock.run(async () => {
      if (!this.#deps.tokens.get(tokenId)) throw new LatchkeyError('NotFoundException', `token ${tokenId} does not exist`);
      await this.#commit({ deleteTokens: [tokenId] });
      this.#deps.tokens.remove(tokenId);
    });
  }

  #newVersionMaterial(record: KeyRecord, keyVersion: number): FreshVersion {
    const generated = generateKeyMaterial(record.keySpec);
    const wrapped: VersionMaterial = {
      keyId: record.keyId,
      keyVersion,
      wrapped: this.#deps.rootKey.wrap(generated.secret, materialAad(record.keyId, keyVersion)),
      publicKey: generated.publicKey,
    };
    const loaded = loadKey(record.keySpec, generated.secret);
    generated.secret.fill(0);
    return { wrapped, loaded };
  }

  async #commit(batch: StoreBatch): Promise<void> {
    await this.#deps.store.commit(batch);
  }

  #applied(before: KeyRecord | null, after: KeyRecord): void {
    this.#deps.directory.putKey(after);
    for (const listener of this.#listeners) listener(before, after);
  }

  /** Commands may name keys pending deletion (to cancel it), so resolve without the data-plane rules. */
  #liveOrPending(reference: string): KeyRecord {
    return this.#deps.directory.resolve(reference);
  }

  #aliasTarget(reference: string): KeyRecord {
    if (reference.startsWith('alias/')) throw new LatchkeyError('ValidationException', 'an alias must point to a key id, not another alias');
    const target = this.#deps.directory.resolve(reference);
    if (target.keyState === 'PendingDeletion') {
      throw new LatchkeyError('KMSInvalidStateException', `key ${target.keyId} is pending deletion`);
    }
    return target;
  }

  #existingAlias(aliasName: string): AliasRecord {
    validateAliasName(aliasName);
    const existing = this.#deps.directory.getAlias(aliasName);
    if (!existing) throw new LatchkeyError('NotFoundException', `alias ${aliasName} does not exist`);
    return existing;
  }

  #checkRegions(regions: readonly string[]): string[] {
    const valid = validateRegions(regions);
    const unknown = valid.filter((r) => !this.#deps.knownRegions.includes(r));
    if (unknown.length > 0) {
      throw new LatchkeyError('ValidationException', `unknown regions ${unknown.join(', ')}; this deployment has ${this.#deps.knownRegions.join(', ')}`);
    }
    return valid;
  }
}

export function defaultUsage(keySpec: KeySpec): KeyUsage {
  const info = KEY_SPEC_INFO[keySpec];
  if (!info) throw new LatchkeyError('ValidationException', `keySpec ${String(keySpec)} is not supported`);
  return info.usages[0] as KeyUsage;
}
