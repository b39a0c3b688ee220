/**
 * fast-check generators for the store property test: valid records over small pools of ids, so
 * that random batches overwrite and delete each other, with ids chosen to sit on prefix and
 * ordering boundaries ("a" next to "a/1", names that look like other prefixes, characters above
 * U+FFFF). Test support only.
 */
import fc from 'fast-check';
import { keyRecordViolations, type AliasRecord, type KeyRecord, type KeyState, type KeyVersionInfo, type TokenRecord, type VersionMaterial } from '@latchkey/core';
import type { StoreBatch } from './key-store.ts';

export const KEY_IDS = ['a', 'a/1', 'a/0000000001', 'b', 'k', 'm/a', 'é', '\uE000', '😀', 'zz'] as const;
export const ALIAS_NAMES = ['alias/a', 'alias/a/1', 'alias/b', 'k/a', 'm/a/0000000001', 'alias/é', 'alias/😀'] as const;
export const TOKEN_IDS = ['t1', 't1/x', 'a', 'x/meta', '😀'] as const;
export const META_NAMES = ['cursor', 'node', 'idem/1', 'k/a', '😀'] as const;

/** A step of a scenario: commit a batch, commit a batch that must be refused whole, or close and reopen. */
export type ScenarioStep =
  | { readonly type: 'commit'; readonly batch: StoreBatch }
  | { readonly type: 'refused'; readonly batch: StoreBatch }
  | { readonly type: 'reopen' };

const text = fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !/\p{Cs}/u.test(s));
const dateMs = fc.integer({ min: 0, max: 4_000_000_000_000 });

const keyRecord: fc.Arbitrary<KeyRecord> = fc.record({
  keyId: fc.constantFrom(...KEY_IDS),
  versionCount: fc.integer({ min: 1, max: 3 }),
  keyState: fc.constantFrom<KeyState>('Enabled', 'Disabled', 'PendingDeletion', 'Destroyed'),
  description: text,
  tags: fc.dictionary(fc.constantFrom('team', '__proto__', 'env', 'é'), text, { maxKeys: 3 }),
  regions: fc.option(fc.array(fc.constantFrom('eu-west', 'us-east', 'ap-south'), { maxLength: 3 }), { nil: null }),
  rotationEnabled: fc.boolean(),
  dateMs,
  revision: fc.integer({ min: 1, max: 2_000_000_000 }),
}).map((g) => {
  const versions: KeyVersionInfo[] = Array.from({ length: g.versionCount }, (_, i) => ({
    keyVersion: i + 1, creationDateMs: g.dateMs + i, rotationType: i === 0 ? 'INITIAL' : 'AUTOMATIC',
  }));
  const deletionScheduled = g.keyState === 'PendingDeletion' || g.keyState === 'Destroyed';
  const rotationEnabled = g.rotationEnabled && g.keyState !== 'Destroyed';
  return {
    keyId: g.keyId, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', description: g.description,
    tags: { ...g.tags }, keyState: g.keyState, creationDateMs: g.dateMs, updatedDateMs: g.dateMs,
    deletionDateMs: deletionScheduled ? g.dateMs + 7 * 86_400_000 : null,
    pendingWindowDays: deletionScheduled ? 7 : null,
    regions: g.regions, currentVersion: g.versionCount, minDecryptionVersion: g.versionCount, versions,
    rotationEnabled, rotationPeriodDays: rotationEnabled ? 90 : null,
    nextRotationDateMs: rotationEnabled ? g.dateMs + 90 * 86_400_000 : null, revision: g.revision,
  } satisfies KeyRecord;
  // The core's invariants evolve; keep only records it accepts today rather than mirror its rules.
}).filter((record) => keyRecordViolations(record).length === 0);

const material: fc.Arbitrary<VersionMaterial> = fc.record({
  keyId: fc.constantFrom(...KEY_IDS),
  keyVersion: fc.constantFrom(1, 2, 3, 10, 9_999_999_999),
  wrapped: fc.uint8Array({ maxLength: 48 }),
  publicKey: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: null }),
});

const alias: fc.Arbitrary<AliasRecord> = fc.record({
  aliasName: fc.constantFrom(...ALIAS_NAMES),
  targetKeyId: fc.constantFrom(...KEY_IDS),
  creationDateMs: dateMs,
  lastUpdatedDateMs: dateMs,
});

const token: fc.Arbitrary<TokenRecord> = fc.record({
  tokenId: fc.constantFrom(...TOKEN_IDS),
  tokenHash: fc.stringMatching(/^[0-9a-f]{64}$/),
  principal: text,
  admin: fc.boolean(),
  creationDateMs: dateMs,
});

/** Anything storable; -0 is excluded because both stores deliberately give it back as 0. */
const metaValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.maxSafeInteger(),
    fc.double().map((x) => (Object.is(x, -0) ? 0 : x)), text, fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }).map((o) => ({ ...o })),
  ),
})).value;

const batch: fc.Arbitrary<StoreBatch> = fc.record({
  putKeys: fc.array(keyRecord, { maxLength: 3 }),
  putMaterial: fc.array(material, { maxLength: 3 }),
  deleteMaterial: fc.array(material.map((m) => ({ keyId: m.keyId, keyVersion: m.keyVersion })), { maxLength: 2 }),
  putAliases: fc.array(alias, { maxLength: 2 }),
  deleteAliases: fc.array(fc.constantFrom(...ALIAS_NAMES), { maxLength: 2 }),
  putTokens: fc.array(token, { maxLength: 2 }),
  deleteTokens: fc.array(fc.constantFrom(...TOKEN_IDS), { maxLength: 2 }),
  putMeta: fc.dictionary(fc.constantFrom(...META_NAMES), metaValue, { maxKeys: 2 }).map((o) => ({ ...o })),
}, { requiredKeys: [] });

/** A batch made unwritable by one record that breaks a key invariant, placed after valid parts. */
const refusedBatch: fc.Arbitrary<StoreBatch> = fc.tuple(batch, keyRecord).map(([valid, broken]) => ({
  ...valid,
  putKeys: [...(valid.putKeys ?? []), { ...broken, minDecryptionVersion: broken.currentVersion + 1 }],
}));

const step: fc.Arbitrary<ScenarioStep> = fc.oneof(
  { arbitrary: batch.map((b) => ({ type: 'commit' as const, batch: b })), weight: 8 },
  { arbitrary: refusedBatch.map((b) => ({ type: 'refused' as const, batch: b })), weight: 1 },
  { arbitrary: fc.constant({ type: 'reopen' as const }), weight: 1 },
);

export const scenario = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 10 }),
  pageSize: fc.integer({ min: 1, max: 4 }),
});
