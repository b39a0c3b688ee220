/**
 * Control-plane operations of a region node: every change to keys, aliases and tokens. Each one
 * decides the new state with the pure core, generates and wraps any new material for every region
 * the key may live in, and appends the change to the change log with compare-and-set on its
 * subject. It answers only after the change is durable in the log AND applied in this region.
 * On a conflict it catches up and decides again (a bounded compare-and-set loop), so a command
 * always acts on the latest state and nothing is ever silently overwritten.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  KEY_SPEC_INFO, LatchkeyError, aliasSubject, isAliasName, allowedRegions, applyKeyCommand, commandEffects, createKeyRecord, credentialSubject, keySubject,
  materialAad, nextKeyChange, regionsNeedingMaterial, tokenSubject, validateAliasName, validateRegions,
  type AliasRecord, type ChangeEnvelope, type Clock, type CredentialRecord, type IdSource, type KeyCommand, type KeyRecord, type KeySpec, type KeyUsage,
  type Principal, type StateChange, type TokenRecord, type WrappedAddition,
} from '@latchkey/core';
import { generateKeyMaterial, sha256Hex, transportAad, wrapForRegion, type RootKey } from '@latchkey/crypto';
import type { KeyStore } from '@latchkey/storage';
import type { ChangeApplier } from './change-applier.ts';
import type { ChangeLog } from './change-log.ts';
import type { ClusterConfig } from './cluster-config.ts';
import type { KeyDirectory } from './key-directory.ts';
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
  readonly cluster: ClusterConfig;
  readonly store: KeyStore;
  readonly directory: KeyDirectory;
  readonly tokens: TokenRegistry;
  readonly rootKey: RootKey;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly applier: ChangeApplier;
  readonly log: ChangeLog;
  /** AWS credentials already applied here: revoking one checks that it exists. */
  readonly credentials?: { get(accessKeyId: string): CredentialRecord | undefined };
}

export interface CommandOptions {
  readonly idempotencyKey?: string;
  readonly principal?: Principal;
  /** Re-checked on every attempt: the lifecycle manager uses it so that a rotation is never doubled. */
  readonly stillWanted?: (record: KeyRecord) => boolean;
}

const CAS_ATTEMPTS = 4;

/** A key id derived from (principal, idempotency key): retries of one create name the same key. */
export function idempotentKeyId(principal: string, idempotencyKey: string): string {
  const b = createHash('sha256').update(`latchkey/create/v1\0${principal}\0${idempotencyKey}`).digest();
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function idempotentMsgId(principal: string, subject: string, what: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${principal}\0${subject}\0${what}\0${idempotencyKey}`).digest('hex');
}

export class ControlPlane {
  readonly #deps: ControlPlaneDeps;
  readonly #locks = new Map<string, WriteLock>();

  constructor(deps: ControlPlaneDeps) {
    this.#deps = deps;
  }

  /** Writes on one subject are serialized in this node; across regions, compare-and-set decides. */
  #serialized<T>(subject: string, work: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(subject);
    if (!lock) this.#locks.set(subject, (lock = new WriteLock()));
    return lock.run(work);
  }

  #envelope(change: StateChange, changeId: string): ChangeEnvelope {
    return { formatVersion: 1, change, origin: this.#deps.region, changeId, createdAtMs: this.#deps.clock.nowMs() };
  }

  /** The compare-and-set loop shared by every write: decide on the latest state, append, retry on conflict. */
  async #casLoop<T>(
    subject: string, msgId: string,
    attempt: (expectedSeq: number) => Promise<{ change: StateChange; result: () => T } | { done: T }> | { change: StateChange; result: () => T } | { done: T },
  ): Promise<T> {
    for (let i = 1; ; i++) {
      // Everything an attempt reads is read after the expected sequence: if it changes meanwhile,
      // compare-and-set fails and the next attempt reads it all again.
      const expectedSeq = await this.#deps.applier.subjectSeq(subject);
      const decided = await attempt(expectedSeq);
      if ('done' in decided) return decided.done;
      try {
        await this.#deps.log.append(this.#envelope(decided.change, msgId), subject, expectedSeq, msgId);
        return decided.result();
      } catch (error) {
        if (!(error instanceof LatchkeyError) || error.code !== 'ConflictException' || i >= CAS_ATTEMPTS) throw error;
        await this.#deps.log.catchUp(subject);
      }
    }
  }

  createKey(request: CreateKeyRequest, principal: Principal): Promise<{ record: KeyRecord; created: boolean }> {
    const keySpec = request.keySpec ?? 'SYMMETRIC_DEFAULT';
    const keyUsage = request.keyUsage ?? defaultUsage(keySpec);
    const regions = request.regions === undefined || request.regions === null ? null : this.#checkRegions(request.regions);
    const keyId = request.idempotencyKey ? idempotentKeyId(principal.principal, request.idempotencyKey) : this.#deps.ids.newKeyId();
    const subject = keySubject(keyId);
    const msgId = request.idempotencyKey ? idempotentMsgId(principal.principal, subject, 'create', request.idempotencyKey) : randomUUID();
    return this.#serialized(subject, () => this.#casLoop<{ record: KeyRecord; created: boolean }>(subject, msgId, () => {
      const existing = this.#deps.directory.getKey(keyId);
      if (existing) {
        if (request.idempotencyKey) return { done: { record: existing, created: false } };
        throw new LatchkeyError('ConflictException', `key id ${keyId} is taken`);
      }
      const nowMs = this.#deps.clock.nowMs();
      let record = createKeyRecord({ keyId, keySpec, keyUsage, description: request.description, tags: request.tags, regions }, nowMs);
      if (request.rotationPeriodDays !== undefined) {
        if (!KEY_SPEC_INFO[keySpec].rotatable) {
          throw new LatchkeyError('UnsupportedOperationException', `keys of spec ${keySpec} do not rotate; only SYMMETRIC_DEFAULT keys do`);
        }
        record = applyKeyCommand(record, { type: 'enableRotation', rotationPeriodDays: request.rotationPeriodDays }, nowMs);
      }
      const change = nextKeyChange(null, record, [this.#newVersion(record, 1)], this.#deps.cluster.regionNames);
      return { change, result: () => ({ record: this.#deps.directory.getKey(keyId) ?? record, created: true }) };
    }));
  }

  /** Applies a command to a key (by id or alias) on its latest state. */
  /**
   * Resolves a key for a write. A key or alias made in another region moments ago may not have
   * reached this one yet: before answering NotFound, catch up on its subject and look again.
   */
  async #resolveFresh(reference: string): Promise<KeyRecord> {
    try {
      return this.#deps.directory.resolve(reference);
    } catch (error) {
      if (!(error instanceof LatchkeyError) || error.code !== 'NotFoundException' || this.#deps.log.mode === 'standalone') throw error;
      // NotFound must be certain: if the stream cannot say what it holds for this subject (no
      // leader, cut off, not applied in time), the answer is retryable, not final.
      const unconfirmed = (cause: unknown) => new LatchkeyError(
        'KeyUnavailableException', `${reference} is not known in this region and the replication stream cannot confirm it does not exist; retry or use another region`, { cause },
      );
      const subject = isAliasName(reference) ? aliasSubject(reference) : keySubject(reference);
      await this.#deps.log.catchUp(subject).catch((cause: unknown) => {
        throw unconfirmed(cause);
      });
      const alias = this.#deps.directory.getAlias(reference);
      if (alias) {
        await this.#deps.log.catchUp(keySubject(alias.targetKeyId)).catch((cause: unknown) => {
          throw unconfirmed(cause);
        });
      }
      return this.#deps.directory.resolve(reference);
    }
  }

  async runCommand(reference: string, command: KeyCommand, options: CommandOptions = {}): Promise<KeyRecord> {
    const keyId = (await this.#resolveFresh(reference)).keyId;
    const subject = keySubject(keyId);
    const msgId = options.idempotencyKey && options.principal
      ? idempotentMsgId(options.principal.principal, subject, command.type, options.idempotencyKey)
      : randomUUID();
    const secrets = new Map<number, Uint8Array>();
    return this.#serialized(subject, async () => {
      // The previous change (whose wrapped envelopes are carried forward) and the secrets to
      // re-wrap are read on every attempt: after a conflict they include the other region's change,
      // or a version it added would be carried without material.
      return this.#casLoop<KeyRecord>(subject, msgId, async () => {
        // Versions carried forward (and secrets re-wrapped) must be the stream's, not a change
        // only this region applied: wait for them to be confirmed here.
        await this.#deps.log.settle(keyId);
        const previous = await this.#deps.applier.lastKeyChange(keyId);
        await this.#heldSecrets(keyId, secrets);
        const before = this.#deps.directory.resolve(keyId);
        if (options.stillWanted && !options.stillWanted(before)) return { done: before };
        const after = applyKeyCommand(before, command, this.#deps.clock.nowMs());
        if (command.type === 'setRegions' && after.regions !== null) this.#checkRegions(after.regions);
        const additions: WrappedAddition[] = [];
        const { newVersion } = commandEffects(before, after);
        if (newVersion !== null) additions.push(this.#newVersion(after, newVersion));
        additions.push(...this.#rewrapForNewRegions(previous, after, secrets));
        const change = nextKeyChange(previous, after, additions, this.#deps.cluster.regionNames);
        return { change, result: () => this.#deps.directory.getKey(keyId) ?? after };
      }).finally(() => {
        for (const secret of secrets.values()) secret.fill(0);
      });
    });
  }

  /** Secrets of every version this region holds, unwrapped only to re-wrap them for added regions. */
  async #heldSecrets(keyId: string, secrets: Map<number, Uint8Array>): Promise<Map<number, Uint8Array>> {
    const record = this.#deps.directory.getKey(keyId);
    const previous = await this.#deps.applier.lastKeyChange(keyId);
    if (!record || regionsNeedingMaterial(previous, { ...record, regions: null }, this.#deps.cluster.regionNames).length === 0) return secrets;
    for (const material of await this.#deps.store.listMaterial(keyId)) {
      if (secrets.has(material.keyVersion)) continue;
      secrets.set(material.keyVersion, this.#deps.rootKey.unwrap(material.wrapped, materialAad(keyId, material.keyVersion)));
    }
    return secrets;
  }

  #rewrapForNewRegions(previous: Parameters<typeof nextKeyChange>[0], after: KeyRecord, secrets: Map<number, Uint8Array>): WrappedAddition[] {
    const needing = regionsNeedingMaterial(previous, after, this.#deps.cluster.regionNames);
    if (needing.length === 0) return [];
    if (secrets.size < after.currentVersion) {
      const holders = allowedRegions(previous?.record ?? after, this.#deps.cluster.regionNames).join(', ');
      throw new LatchkeyError(
        'KeyNotAllowedInRegionException',
        `adding regions to key ${after.keyId} re-wraps its material, so it must be done in a region that holds the key (${holders}); this region is ${this.#deps.region}`,
      );
    }
    return after.versions.map((v) => ({
      keyVersion: v.keyVersion,
      publicKey: null,
      wrapped: this.#wrapFor(needing, after.keyId, v.keyVersion, secrets.get(v.keyVersion) as Uint8Array),
    }));
  }

  #wrapFor(regions: readonly string[], keyId: string, keyVersion: number, secret: Uint8Array): Record<string, Uint8Array> {
    const wrapped: Record<string, Uint8Array> = {};
    for (const region of regions) {
      const pinned = this.#deps.cluster.regions.get(region);
      if (!pinned) throw new LatchkeyError('KMSInternalException', `region ${region} has no pinned transport key`);
      wrapped[region] = wrapForRegion(pinned.transport, secret, transportAad(keyId, keyVersion, region));
    }
    return wrapped;
  }

  /** A fresh version's material, wrapped once for each region the key may live in; the clear secret is dropped here. */
  #newVersion(record: KeyRecord, keyVersion: number): WrappedAddition {
    const generated = generateKeyMaterial(record.keySpec);
    try {
      const regions = allowedRegions(record, this.#deps.cluster.regionNames);
      return { keyVersion, publicKey: generated.publicKey, wrapped: this.#wrapFor(regions, record.keyId, keyVersion, generated.secret) };
    } finally {
      generated.secret.fill(0);
    }
  }

  createAlias(aliasName: string, targetReference: string): Promise<AliasRecord> {
    validateAliasName(aliasName);
    const subject = aliasSubject(aliasName);
    return this.#serialized(subject, () => this.#casLoop<AliasRecord>(subject, randomUUID(), () => {
      if (this.#deps.directory.getAlias(aliasName)) throw new LatchkeyError('AlreadyExistsException', `alias ${aliasName} already exists`);
      const target = this.#aliasTarget(targetReference);
      const nowMs = this.#deps.clock.nowMs();
      const alias: AliasRecord = { aliasName, targetKeyId: target.keyId, creationDateMs: nowMs, lastUpdatedDateMs: nowMs };
      return { change: { kind: 'alias', aliasName, alias }, result: () => alias };
    }));
  }

  updateAlias(aliasName: string, targetReference: string): Promise<AliasRecord> {
    validateAliasName(aliasName);
    const subject = aliasSubject(aliasName);
    return this.#serialized(subject, () => this.#casLoop<AliasRecord>(subject, randomUUID(), () => {
      const existing = this.#existingAlias(aliasName);
      const target = this.#aliasTarget(targetReference);
      const current = this.#deps.directory.getKey(existing.targetKeyId);
      if (current && (current.keySpec !== target.keySpec || current.keyUsage !== target.keyUsage)) {
        // As in AWS KMS: an alias may only move to a key of the same type and usage, so callers keep working.
        throw new LatchkeyError('ValidationException', `alias ${aliasName} can only point to a ${current.keySpec} key with usage ${current.keyUsage}`);
      }
      const alias: AliasRecord = { ...existing, targetKeyId: target.keyId, lastUpdatedDateMs: this.#deps.clock.nowMs() };
      return { change: { kind: 'alias', aliasName, alias }, result: () => alias };
    }));
  }

  deleteAlias(aliasName: string): Promise<void> {
    validateAliasName(aliasName);
    const subject = aliasSubject(aliasName);
    return this.#serialized(subject, () => this.#casLoop<void>(subject, randomUUID(), () => {
      this.#existingAlias(aliasName);
      return { change: { kind: 'alias', aliasName, alias: null }, result: () => undefined };
    }));
  }

  createToken(principalName: string, admin: boolean): Promise<{ record: TokenRecord; token: string }> {
    return this.adoptToken(principalName, admin, newToken());
  }

  /** Registers a token made elsewhere (the first admin token, written to a file before this). */
  adoptToken(principalName: string, admin: boolean, token: string): Promise<{ record: TokenRecord; token: string }> {
    checkPrincipalName(principalName);
    const record: TokenRecord = {
      tokenId: newTokenId(), principal: principalName, admin, tokenHash: sha256Hex(token), creationDateMs: this.#deps.clock.nowMs(),
    };
    const subject = tokenSubject(record.tokenId);
    return this.#serialized(subject, () => this.#casLoop<{ record: TokenRecord; token: string }>(subject, randomUUID(), () => ({
      change: { kind: 'token', tokenId: record.tokenId, token: record }, result: () => ({ record, token }),
    })));
  }

  revokeToken(tokenId: string): Promise<void> {
    const subject = tokenSubject(tokenId);
    return this.#serialized(subject, () => this.#casLoop<void>(subject, randomUUID(), () => {
      if (!this.#deps.tokens.get(tokenId)) throw new LatchkeyError('NotFoundException', `token ${tokenId} does not exist`);
      return { change: { kind: 'token', tokenId, token: null }, result: () => undefined };
    }));
  }

  /**
   * Issues an AWS credential for a principal. The caller made the secret and wrapped it for every
   * region (http/aws/credential-secret.ts); it travels and is applied like key material.
   */
  createAwsCredential(principalName: string, accessKeyId: string, wrapped: Record<string, Uint8Array>): Promise<CredentialRecord> {
    checkPrincipalName(principalName);
    const record: CredentialRecord = { accessKeyId, principal: principalName, creationDateMs: this.#deps.clock.nowMs() };
    const subject = credentialSubject(accessKeyId);
    return this.#serialized(subject, () => this.#casLoop<CredentialRecord>(subject, randomUUID(), (expectedSeq) => {
      if (expectedSeq !== 0) throw new LatchkeyError('ConflictException', `access key id ${accessKeyId} is taken`);
      return { change: { kind: 'credential', accessKeyId, credential: record, wrapped }, result: () => record };
    }));
  }

  revokeAwsCredential(accessKeyId: string): Promise<void> {
    const subject = credentialSubject(accessKeyId);
    return this.#serialized(subject, () => this.#casLoop<void>(subject, randomUUID(), () => {
      if (!this.#deps.credentials?.get(accessKeyId)) throw new LatchkeyError('NotFoundException', `AWS credential ${accessKeyId} does not exist`);
      return { change: { kind: 'credential', accessKeyId, credential: null, wrapped: {} }, result: () => undefined };
    }));
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
    const existing = this.#deps.directory.getAlias(aliasName);
    if (!existing) throw new LatchkeyError('NotFoundException', `alias ${aliasName} does not exist`);
    return existing;
  }

  #checkRegions(regions: readonly string[]): string[] {
    const valid = validateRegions(regions);
    const known = this.#deps.cluster.regionNames;
    const unknown = valid.filter((r) => !known.includes(r));
    if (unknown.length > 0) {
      throw new LatchkeyError('ValidationException', `unknown regions ${unknown.join(', ')}; this deployment has ${known.join(', ')}`);
    }
    return valid;
  }
}

function checkPrincipalName(name: string): void {
  if (!/^[A-Za-z0-9@._:\/-]{1,128}$/.test(name)) {
    throw new LatchkeyError('ValidationException', 'principal must be 1 to 128 characters of letters, digits and @._:/-');
  }
}

export function defaultUsage(keySpec: KeySpec): KeyUsage {
  const info = KEY_SPEC_INFO[keySpec];
  if (!info) throw new LatchkeyError('ValidationException', `keySpec ${String(keySpec)} is not supported`);
  return info.usages[0] as KeyUsage;
}
