// Proves how a client is configured: from a region list (checked at construction: names unique,
// home among them, URLs valid), from the manifest `pnpm cluster:up` writes (regions and admin token,
// or a token given instead), with bad settings refused where they are written; and that a client of
// one node keeps its original behaviour (one attempt, no probes) unless asked to retry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyClient } from './latchkey-client.ts';
import { startRecordingServer, type RecordingServer } from './testing/recording-server.ts';
import { fakePorts } from './routing/router-ports.test-support.ts';

let dir: string;
let server: RecordingServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latchkey-client-options-'));
  server = await startRecordingServer();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function manifest(content: unknown): Promise<string> {
  const file = path.join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('LatchkeyClient.fromManifest', () => {
  it('takes the regions and the admin token from the manifest', async () => {
    const file = await manifest({
      regions: [{ name: 'eu', url: server.url, natsUrl: 'nats://x', pid: 1 }, { name: 'us', url: 'http://127.0.0.1:9', pid: 2 }],
      adminToken: 'lk_admin',
    });
    const client = await LatchkeyClient.fromManifest(file, { homeRegion: 'eu' });
    server.answer({ body: { principal: 'admin', admin: true } });
    await client.whoami();
    expect(server.last().headers.authorization).toBe('Bearer lk_admin');
    expect(client.regionHealth()).toEqual({ eu: true, us: true });
    client.close();
  });

  it('prefers a token passed in, and needs one when the manifest has none', async () => {
    const file = await manifest({ regions: [{ name: 'eu', url: server.url }] });
    await expect(LatchkeyClient.fromManifest(file, { homeRegion: 'eu' })).rejects.toThrow(/adminToken/);
    const client = await LatchkeyClient.fromManifest(file, { homeRegion: 'eu', token: 'lk_app' });
    server.answer({ body: { principal: 'app', admin: false } });
    await client.whoami();
    expect(server.last().headers.authorization).toBe('Bearer lk_app');
  });

  it('refuses a missing or malformed manifest, or a home region it does not list', async () => {
    await expect(LatchkeyClient.fromManifest(path.join(dir, 'absent.json'), { homeRegion: 'eu' })).rejects.toThrow(/cannot read the cluster manifest/);
    await expect(LatchkeyClient.fromManifest(await manifest('{not json'), { homeRegion: 'eu' })).rejects.toThrow(/cannot read/);
    await expect(LatchkeyClient.fromManifest(await manifest({ adminToken: 't' }), { homeRegion: 'eu' })).rejects.toThrow(/no regions list/);
    const file = await manifest({ regions: [{ name: 'eu', url: server.url }], adminToken: 't' });
    await expect(LatchkeyClient.fromManifest(file, { homeRegion: 'ap' })).rejects.toThrow(/homeRegion "ap" is not one of the regions \(eu\)/);
  });
});

describe('regional options', () => {
  const base = { token: 't', homeRegion: 'eu' };
  it('refuses bad region lists and settings at construction', () => {
    expect(() => new LatchkeyClient({ ...base, regions: [] })).toThrow(/at least one region/);
    expect(() => new LatchkeyClient({ ...base, regions: [{ name: 'eu', url: 'http://a' }, { name: 'eu', url: 'http://b' }] })).toThrow(/listed twice/);
    expect(() => new LatchkeyClient({ ...base, regions: [{ name: 'eu', url: 'ftp://a' }] })).toThrow(/http/);
    expect(() => new LatchkeyClient({ ...base, regions: [{ name: '', url: 'http://a' }] })).toThrow(/non-empty name/);
    const regions = [{ name: 'eu', url: 'http://a' }];
    expect(() => new LatchkeyClient({ ...base, regions, retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts/);
    expect(() => new LatchkeyClient({ ...base, regions, deadlineMs: -1 })).toThrow(/deadlineMs/);
    expect(() => new LatchkeyClient({ ...base, regions, health: { failureThreshold: 1.5 } })).toThrow(/failureThreshold/);
    expect(() => new LatchkeyClient({ ...base, regions, dataKeyCache: { capacity: 0 } })).toThrow(/dataKeyCache.capacity/);
  });

  it('sends health and readiness probes to the region asked for, home by default', async () => {
    const client = new LatchkeyClient({ ...base, regions: [{ name: 'eu', url: server.url }, { name: 'us', url: 'http://127.0.0.1:9' }] });
    server.answer({ body: { status: 'ready', region: 'eu' } });
    expect(await client.ready()).toMatchObject({ ok: true, details: { region: 'eu' } });
    await expect(client.health('us')).rejects.toMatchObject({ code: 'NetworkError' });
    client.close();
  });
});

describe('one node', () => {
  const unavailable = { status: 503, body: { code: 'DependencyTimeoutException', message: 'no quorum' } };
  const encrypted = { body: { ciphertext: 'AQID', keyId: 'k', keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } };
  const encrypt = (client: LatchkeyClient) => client.encrypt({ keyId: 'k', plaintext: Uint8Array.of(1) });

  it('keeps the original behaviour: one attempt per call, no probes', async () => {
    const fake = fakePorts(1);
    server.requests.length = 0;
    server.answer(unavailable);
    const client = new LatchkeyClient({ url: server.url, token: 't', ports: fake.ports });
    for (let i = 0; i < 3; i++) await expect(encrypt(client)).rejects.toMatchObject({ code: 'DependencyTimeoutException', attempts: 1 });
    expect(server.requests).toHaveLength(3);
    expect(fake.pending()).toBe(0);
  });

  it('retries against one node when asked to', async () => {
    const fake = fakePorts(1);
    server.requests.length = 0;
    let first = true;
    server.answer(() => {
      if (!first) return encrypted;
      first = false;
      return unavailable;
    });
    await encrypt(new LatchkeyClient({ url: server.url, token: 't', ports: fake.ports, retry: { maxAttempts: 2 } }));
    expect(server.requests).toHaveLength(2);
    expect(fake.sleeps).toHaveLength(1);
  });
});
