// Proves the control plane over real HTTP: create, describe, list with pagination, state changes,
// tags, aliases, deletion with its window, rotation on demand and on schedule (manual clock),
// minimum decryption version, idempotent creation, and that all of it survives a restart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { b64, startTestNode, type TestNode } from './testing/test-node.ts';

const DAY = 86_400_000;
let t: TestNode;

beforeEach(async () => {
  t = await startTestNode();
});
afterEach(async () => {
  await t.close();
});

async function createKey(body: Record<string, unknown> = {}): Promise<any> {
  const res = await t.call('POST', '/v1/keys', body);
  expect(res.status).toBe(201);
  return res.body.keyMetadata;
}

describe('keys', () => {
  it('creates, describes and lists keys with pagination', async () => {
    const created = await createKey({ description: 'orders', tags: { team: 'payments' } });
    expect(created).toMatchObject({ keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', keyState: 'Enabled', currentVersion: 1, minDecryptionVersion: 1, description: 'orders', tags: { team: 'payments' } });
    const described = await t.call('GET', `/v1/keys/${created.keyId}`);
    expect(described.body.keyMetadata.keyId).toBe(created.keyId);
    for (let i = 0; i < 4; i++) await createKey();
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await t.call('GET', `/v1/keys?limit=2${marker ? `&marker=${marker}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.keys.map((k: any) => k.keyId));
      marker = page.body.nextMarker;
    } while (marker);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual([...seen].sort());
  });

  it('disables and enables; a disabled key refuses encryption with DisabledException', async () => {
    const key = await createKey();
    expect((await t.call('POST', `/v1/keys/${key.keyId}/disable`, {})).body.keyMetadata.keyState).toBe('Disabled');
    const refused = await t.call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('x') });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('DisabledException');
    expect((await t.call('POST', `/v1/keys/${key.keyId}/enable`, {})).body.keyMetadata.keyState).toBe('Enabled');
    expect((await t.call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('x') })).status).toBe(200);
  });

  it('updates description and tags', async () => {
    const key = await createKey();
    await t.call('PUT', `/v1/keys/${key.keyId}/description`, { description: 'new' });
    await t.call('POST', `/v1/keys/${key.keyId}/tags`, { tags: { a: '1', b: '2' } });
    await t.call('POST', `/v1/keys/${key.keyId}/untag`, { tagKeys: ['a'] });
    const tags = await t.call('GET', `/v1/keys/${key.keyId}/tags`);
    expect(tags.body.tags).toEqual({ b: '2' });
    const bad = await t.call('POST', `/v1/keys/${key.keyId}/tags`, { tags: { 'aws:x': '1' } });
    expect(bad.body.code).toBe('TagException');
  });

  it('schedules deletion, cancels it (key comes back Disabled), and destroys when the window passes', async () => {
    const key = await createKey();
    const tooShort = await t.call('POST', `/v1/keys/${key.keyId}/schedule-deletion`, { pendingWindowDays: 3 });
    expect(tooShort.body.code).toBe('ValidationException');
    const scheduled = await t.call('POST', `/v1/keys/${key.keyId}/schedule-deletion`, { pendingWindowDays: 7 });
    expect(scheduled.body.keyMetadata).toMatchObject({ keyState: 'PendingDeletion', pendingWindowDays: 7 });
    expect((await t.call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('x') })).body.code).toBe('KMSInvalidStateException');
    const cancelled = await t.call('POST', `/v1/keys/${key.keyId}/cancel-deletion`, {});
    expect(cancelled.body.keyMetadata.keyState).toBe('Disabled');

    await t.call('POST', `/v1/keys/${key.keyId}/schedule-deletion`, { pendingWindowDays: 7 });
    t.clock.advance(7 * DAY - 1000);
    expect((await t.node.lifecycle.tick()).destroyed).toEqual([]);
    t.clock.advance(2000);
    expect((await t.node.lifecycle.tick()).destroyed).toEqual([key.keyId]);
    expect((await t.call('GET', `/v1/keys/${key.keyId}`)).body.code).toBe('NotFoundException');
  });

  it('rotates on demand; old ciphertexts still decrypt; min decryption version retires old versions', async () => {
    const key = await createKey();
    const v1 = await t.call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('one') });
    const rotated = await t.call('POST', `/v1/keys/${key.keyId}/rotate`, {});
    expect(rotated.body.keyMetadata.currentVersion).toBe(2);
    const v2 = await t.call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('two') });
    expect(v2.body.keyVersion).toBe(2);
    expect((await t.call('POST', '/v1/decrypt', { ciphertext: v1.body.ciphertext })).body.plaintext).toBe(b64('one'));
    const rotations = await t.call('GET', `/v1/keys/${key.keyId}/rotations`);
    expect(rotations.body.rotations).toHaveLength(1);
    expect(rotations.body.rotations[0]).toMatchObject({ keyVersion: 2, rotationType: 'ON_DEMAND' });

    await t.call('PUT', `/v1/keys/${key.keyId}/min-decryption-version`, { minDecryptionVersion: 2 });
    const retired = await t.call('POST', '/v1/decrypt', { ciphertext: v1.body.ciphertext });
    expect(retired.body.code).toBe('KeyVersionRetiredException');
    await t.call('PUT', `/v1/keys/${key.keyId}/min-decryption-version`, { minDecryptionVersion: 1 });
    expect((await t.call('POST', '/v1/decrypt', { ciphertext: v1.body.ciphertext })).status).toBe(200);
  });

  it('rotates automatically when the period passes, driven by the clock', async () => {
    const key = await createKey({ rotationPeriodDays: 90 });
    const status = await t.call('GET', `/v1/keys/${key.keyId}/rotation`);
    expect(status.body).toMatchObject({ keyRotationEnabled: true, rotationPeriodDays: 90 });
    t.clock.advance(89 * DAY);
    expect((await t.node.lifecycle.tick()).rotated).toEqual([]);
    t.clock.advance(2 * DAY);
    expect((await t.node.lifecycle.tick()).rotated).toEqual([key.keyId]);
    const after = await t.call('GET', `/v1/keys/${key.keyId}`);
    expect(after.body.keyMetadata.currentVersion).toBe(2);
    expect(after.body.keyMetadata.versions[1].rotationType).toBe('AUTOMATIC');
    const badPeriod = await t.call('PUT', `/v1/keys/${key.keyId}/rotation`, { enabled: true, rotationPeriodDays: 30 });
    expect(badPeriod.status).toBe(400);
  });

  it('refuses rotation of asymmetric keys', async () => {
    const key = await createKey({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
    expect((await t.call('POST', `/v1/keys/${key.keyId}/rotate`, {})).body.code).toBe('UnsupportedOperationException');
  });

  it('creates a key once per idempotency key, and rotates once per idempotency key', async () => {
    const first = await t.call('POST', '/v1/keys', { idempotencyKey: 'req-1' });
    const second = await t.call('POST', '/v1/keys', { idempotencyKey: 'req-1' });
    expect(second.body.keyMetadata.keyId).toBe(first.body.keyMetadata.keyId);
    const keyId = first.body.keyMetadata.keyId;
    await t.call('POST', `/v1/keys/${keyId}/rotate`, { idempotencyKey: 'rot-1' });
    const again = await t.call('POST', `/v1/keys/${keyId}/rotate`, { idempotencyKey: 'rot-1' });
    expect(again.body.keyMetadata.currentVersion).toBe(2);
  });

  it('manages aliases, and any keyId parameter accepts an alias', async () => {
    const a = await createKey();
    const b = await createKey();
    const sign = await createKey({ keySpec: 'ECC_NIST_P256' });
    expect((await t.call('POST', '/v1/aliases', { aliasName: 'alias/orders', targetKeyId: a.keyId })).status).toBe(201);
    expect((await t.call('POST', '/v1/aliases', { aliasName: 'alias/orders', targetKeyId: a.keyId })).body.code).toBe('AlreadyExistsException');
    expect((await t.call('POST', '/v1/aliases', { aliasName: 'alias/aws/x', targetKeyId: a.keyId })).body.code).toBe('InvalidAliasNameException');
    const enc = await t.call('POST', `/v1/keys/${encodeURIComponent('alias/orders')}/encrypt`, { plaintext: b64('hi') });
    expect(enc.body.keyId).toBe(a.keyId);
    expect((await t.call('PUT', '/v1/aliases/alias/orders', { targetKeyId: sign.keyId })).body.code).toBe('ValidationException');
    expect((await t.call('PUT', '/v1/aliases/alias/orders', { targetKeyId: b.keyId })).body.alias.targetKeyId).toBe(b.keyId);
    const list = await t.call('GET', `/v1/aliases?keyId=${b.keyId}`);
    expect(list.body.aliases.map((x: any) => x.aliasName)).toEqual(['alias/orders']);
    expect((await t.call('DELETE', '/v1/aliases/alias/orders')).status).toBe(204);
    expect((await t.call('GET', `/v1/keys/${encodeURIComponent('alias/orders')}`)).body.code).toBe('NotFoundException');
  });

  it('keeps keys, versions, aliases and tokens across a restart', async () => {
    const key = await createKey();
    await t.call('POST', `/v1/keys/${key.keyId}/rotate`, {});
    const ct = await t.call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('persist') });
    await t.call('POST', '/v1/aliases', { aliasName: 'alias/keep', targetKeyId: key.keyId });
    t = await t.restart();
    const dec = await t.call('POST', `/v1/keys/${encodeURIComponent('alias/keep')}/decrypt`, { ciphertext: ct.body.ciphertext });
    expect(dec.body).toMatchObject({ plaintext: b64('persist'), keyVersion: 2 });
  });
});
