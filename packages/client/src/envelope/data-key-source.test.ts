// Proves how often envelope encryption calls the service: once per data key with a warm cache
// (not once per message), again when a limit ends a key, once for a message too large to share a
// key, once per distinct context, once per message with the cache off; concurrent cold misses share
// one call; decryption unwraps a data key once for all its messages. And that per-message keys are
// HKDF-SHA256 exactly as docs/envelope-format.md specifies.
import { createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeySource } from './data-key-source.ts';
import { DEFAULT_CACHE_LIMITS, type DataKeyCacheLimits } from './data-key-cache.ts';
import { decryptEnvelope, encryptEnvelope } from './envelope-buffer.ts';
import { deriveMessageKey, extractKey, headerTag } from './envelope-crypto.ts';
import { fakeKms } from './fake-kms.test-support.ts';
import { newMessageId } from './message-ids.ts';
import type { ClientEvent } from '../client-events.ts';

function setup(limits: Partial<DataKeyCacheLimits> | null = {}) {
  const kms = fakeKms();
  const clock = { now: 0 };
  const events: ClientEvent[] = [];
  const source = new DataKeySource(kms, limits === null ? null : { ...DEFAULT_CACHE_LIMITS, ...limits }, () => clock.now, (e) => events.push(e));
  const seal = (size: number, encryptionContext: Record<string, string> = {}) =>
    encryptEnvelope(source, 'k', Buffer.alloc(size, 1), { encryptionContext }, newMessageId);
  const open = (message: Uint8Array) => decryptEnvelope(source, message, {});
  const count = (outcome: string) => events.filter((e) => e.type === 'cache' && e.outcome === outcome).length;
  return { kms, clock, source, seal, open, count };
}

describe('service calls of envelope encryption', () => {
  it('makes one GenerateDataKey call for many messages with a warm cache', async () => {
    const { kms, seal, count } = setup();
    for (let i = 0; i < 200; i++) await seal(100);
    expect(kms.calls.generate).toBe(1);
    expect([count('miss'), count('hit')]).toEqual([1, 199]);
  });

  it('fetches a fresh data key when the message limit ends one', async () => {
    const { kms, seal } = setup({ maxMessagesPerKey: 10 });
    for (let i = 0; i < 95; i++) await seal(10);
    expect(kms.calls.generate).toBe(10);
  });

  it('fetches a fresh data key when the byte limit ends one, and gives a too-large message its own', async () => {
    const { kms, seal } = setup({ maxBytesPerKey: 1_000 });
    for (let i = 0; i < 10; i++) await seal(300);
    expect(kms.calls.generate).toBe(4);
    await seal(1_001);
    await seal(1_001);
    expect(kms.calls.generate).toBe(6);
  });

  it('fetches a fresh data key when the age limit ends one', async () => {
    const { kms, clock, seal } = setup({ maxAgeMs: 1_000 });
    await seal(1);
    clock.now = 999;
    await seal(1);
    clock.now = 1_000;
    await seal(1);
    expect(kms.calls.generate).toBe(2);
  });

  it('keeps one data key per encryption context', async () => {
    const { kms, seal } = setup();
    for (let i = 0; i < 4; i++) {
      await seal(1, { tenant: 'a' });
      await seal(1, { tenant: 'b' });
    }
    expect(kms.calls.generate).toBe(2);
  });

  it('calls the service once per message with the cache off', async () => {
    const { kms, seal, open } = setup(null);
    const message = await seal(5);
    await seal(5);
    await open(message);
    await open(message);
    expect(kms.calls).toEqual({ generate: 2, decrypt: 2 });
  });

  it('shares one service call among concurrent cold misses', async () => {
    const { kms, seal, open } = setup();
    const messages = await Promise.all(Array.from({ length: 20 }, () => seal(10)));
    expect(kms.calls.generate).toBe(1);
    await Promise.all(messages.map(open));
    expect(kms.calls.decrypt).toBe(1);
  });

  it('unwraps a data key once for all the messages it encrypted', async () => {
    const { kms, seal, open } = setup();
    const messages = [];
    for (let i = 0; i < 50; i++) messages.push(await seal(10));
    for (const message of messages) await open(message);
    expect(kms.calls).toEqual({ generate: 1, decrypt: 1 });
  });

  it('zeroes cached keys on clear and fetches again afterwards', async () => {
    const { kms, seal, source } = setup();
    await seal(1);
    source.clear();
    await seal(1);
    expect(kms.calls.generate).toBe(2);
  });
});

describe('per-message key derivation', () => {
  it('is HKDF-SHA256(data key, no salt, "latchkey/envelope/v1/message-key" | algorithm | message id, 32)', () => {
    const dataKey = randomBytes(32);
    const messageId = randomBytes(32);
    const derived = deriveMessageKey(createSecretKey(extractKey(dataKey)), 1, messageId).export();
    const info = Buffer.concat([Buffer.from('latchkey/envelope/v1/message-key'), Buffer.of(1), messageId]);
    expect(derived.equals(Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, 32)))).toBe(true);
    expect(deriveMessageKey(createSecretKey(extractKey(dataKey)), 1, randomBytes(32)).export().equals(derived)).toBe(false);
  });

  it('tags the header with HKDF-SHA256(data key, no salt, "latchkey/envelope/v1/header-tag" | header, 16)', () => {
    const dataKey = randomBytes(32);
    const header = randomBytes(150);
    const info = Buffer.concat([Buffer.from('latchkey/envelope/v1/header-tag'), header]);
    expect(headerTag(createSecretKey(extractKey(dataKey)), header).equals(Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, 16)))).toBe(true);
  });
});
