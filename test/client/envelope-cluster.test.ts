// Proves envelope encryption against a real 3-region cluster: with a warm data-key cache, a thousand
// messages cost one GenerateDataKey and one Decrypt call (counted by the client's own counters);
// messages open in another region; the cache's message, byte and age limits are honoured against
// the real service (counted calls); a changed encryption context is refused by the service; a
// pinned key's data keys come only from its regions; and streams round-trip through the service.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyClientError, type LatchkeyClient, type RegionalOptions } from '@latchkey/client';
import { eventually, startTestCluster, type TestCluster } from '../replication/harness.ts';
import { clusterUrls, observedClient, type ObservedClient } from './cluster-client-support.ts';

const CONTEXT = { tenant: 'acme', table: 'invoices' };
let c: TestCluster;
let keyId: string;
const opened: LatchkeyClient[] = [];

beforeAll(async () => {
  c = await startTestCluster();
  const setup = client('eu');
  keyId = (await setup.client.createKey({ idempotencyKey: 'envelope-key', description: 'envelope' })).keyMetadata.keyId;
  for (const region of c.regions) {
    await eventually(async () => ((await c.at(region).call('GET', `/v1/keys/${keyId}`, undefined, c.token)).status === 200 ? true : undefined), 20_000, `key in ${region}`);
  }
}, 120_000);
afterAll(async () => {
  for (const made of opened) made.close();
  await c?.stop();
});

function client(homeRegion: string, options: Partial<RegionalOptions> = {}): ObservedClient {
  const observed = observedClient(clusterUrls(c), { homeRegion, token: c.token, ...options });
  opened.push(observed.client);
  return observed;
}

const serviceCalls = (observed: ObservedClient, operation: string) => observed.client.counters.callsOf(operation);

describe('envelope encryption with a warm cache', () => {
  it('makes one GenerateDataKey and one Decrypt call for a thousand messages', async () => {
    const observed = client('eu');
    const messages: { plaintext: Buffer; message: Uint8Array }[] = [];
    for (let i = 0; i < 1_000; i++) {
      const plaintext = randomBytes(i % 50 === 0 ? 70_000 : 1_024);
      messages.push({ plaintext, message: await observed.client.encryptEnvelope(keyId, plaintext, { encryptionContext: CONTEXT }) });
    }
    for (const { plaintext, message } of messages) {
      const { plaintext: again, keyId: messageKey } = await observed.client.decryptEnvelope(message, { encryptionContext: CONTEXT });
      expect(Buffer.from(again).equals(plaintext)).toBe(true);
      expect(messageKey).toBe(keyId);
    }
    expect(serviceCalls(observed, 'GenerateDataKey')).toBe(1);
    expect(serviceCalls(observed, 'Decrypt')).toBe(1);
    expect(observed.client.counters.snapshot()).toMatchObject({ cacheMisses: 2, cacheHits: 1_998 });
  });

  it('opens messages in another region, with one unwrap there', async () => {
    const writer = client('eu');
    const reader = client('ap');
    const messages = await Promise.all(Array.from({ length: 20 }, () => writer.client.encryptEnvelope(keyId, Buffer.from('cross-region'), { encryptionContext: CONTEXT })));
    for (const message of messages) expect(Buffer.from((await reader.client.decryptEnvelope(message)).plaintext).toString()).toBe('cross-region');
    expect(reader.okRegions(['Decrypt'])).toEqual(['ap']);
  });
});

describe('cache limits against the real service', () => {
  it('fetches a new data key every maxMessagesPerKey messages', async () => {
    const observed = client('eu', { dataKeyCache: { maxMessagesPerKey: 10 } });
    for (let i = 0; i < 95; i++) await observed.client.encryptEnvelope(keyId, Buffer.from('m'), { encryptionContext: CONTEXT });
    expect(serviceCalls(observed, 'GenerateDataKey')).toBe(10);
  });

  it('fetches a new data key every maxBytesPerKey bytes, and one per message larger than that', async () => {
    const observed = client('eu', { dataKeyCache: { maxBytesPerKey: 4_096 } });
    for (let i = 0; i < 12; i++) await observed.client.encryptEnvelope(keyId, Buffer.alloc(1_024), { encryptionContext: CONTEXT });
    expect(serviceCalls(observed, 'GenerateDataKey')).toBe(3);
    await observed.client.encryptEnvelope(keyId, Buffer.alloc(5_000), { encryptionContext: CONTEXT });
    await observed.client.encryptEnvelope(keyId, Buffer.alloc(5_000), { encryptionContext: CONTEXT });
    expect(serviceCalls(observed, 'GenerateDataKey')).toBe(5);
  });

  it('fetches a new data key once maxAgeMs has passed, on an injected clock', async () => {
    const clock = { now: 0 };
    const observed = client('eu', { dataKeyCache: { maxAgeMs: 60_000 }, ports: { nowMs: () => clock.now } });
    const seal = () => observed.client.encryptEnvelope(keyId, Buffer.from('aging'), { encryptionContext: CONTEXT });
    await seal();
    clock.now = 59_999;
    const beforeExpiry = await seal();
    clock.now = 60_000;
    await seal();
    expect(serviceCalls(observed, 'GenerateDataKey')).toBe(2);
    // Unwrapped keys age too: the decrypt side unwraps again after maxAgeMs.
    await observed.client.decryptEnvelope(beforeExpiry);
    clock.now = 120_000;
    await observed.client.decryptEnvelope(beforeExpiry);
    expect(serviceCalls(observed, 'Decrypt')).toBe(2);
  });

  it('keeps at most `capacity` data keys, one per encryption context', async () => {
    const observed = client('eu', { dataKeyCache: { capacity: 2 } });
    for (const tenant of ['a', 'b', 'a', 'b', 'c', 'a']) await observed.client.encryptEnvelope(keyId, Buffer.from('x'), { encryptionContext: { tenant } });
    expect(serviceCalls(observed, 'GenerateDataKey')).toBe(4);
    expect(observed.client.counters.snapshot().cacheEvictions).toBe(2);
  });
});

describe('tampering and policy against the real service', () => {
  it('refuses a message whose encryption context was changed, at the service', async () => {
    const observed = client('eu', { dataKeyCache: false });
    const message = Buffer.from(await observed.client.encryptEnvelope(keyId, Buffer.from('secret'), { encryptionContext: { tenant: 'aa' } }));
    message[message.indexOf(Buffer.from('aa'))] = 'b'.charCodeAt(0);
    const error: unknown = await observed.client.decryptEnvelope(message).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyClientError);
    expect(error).toMatchObject({ code: 'InvalidCiphertextException', status: 400 });
  });

  it('takes a pinned key\'s data keys only from its regions', async () => {
    const observed = client('eu');
    const pinned = (await observed.client.createKey({ regions: ['us'], idempotencyKey: 'envelope-pinned-us' })).keyMetadata.keyId;
    const message = await eventually(async () => observed.client.encryptEnvelope(pinned, Buffer.from('resident')).catch(() => undefined), 20_000, 'pinned key in us');
    expect(Buffer.from((await observed.client.decryptEnvelope(message)).plaintext).toString()).toBe('resident');
    expect(observed.attempts(['GenerateDataKey', 'Decrypt'], 'eu')).toEqual([]);
    expect(observed.attempts(['GenerateDataKey', 'Decrypt'], 'ap')).toEqual([]);
  });

  it('streams a megabyte through the encrypt and decrypt streams', async () => {
    const observed = client('eu');
    const plaintext = randomBytes(1 << 20);
    const collect = (into: Buffer[]) => new Writable({ write(chunk, _e, done) { into.push(chunk); done(); } });
    const sealed: Buffer[] = [];
    await pipeline(Readable.from([plaintext.subarray(0, 300_000), plaintext.subarray(300_000)]), observed.client.createEncryptStream(keyId, { encryptionContext: CONTEXT }), collect(sealed));
    const out: Buffer[] = [];
    await pipeline(Readable.from([Buffer.concat(sealed)]), observed.client.createDecryptStream({ encryptionContext: CONTEXT }), collect(out));
    expect(Buffer.concat(out).equals(plaintext)).toBe(true);
  });
});
