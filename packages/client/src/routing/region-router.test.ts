// Proves the router's behaviour end to end over real HTTP (three recording servers as regions), with
// a fake clock, an instant sleep and a seeded random source: home first; failover on region-level
// failures with the region marked unhealthy after the threshold; a background probe bringing home
// back; a key not yet replicated moving on without blaming the region; pinned keys never sent
// outside their policy; retries only of what is safe, with indeterminate writes reported and never
// repeated; full-jitter backoff between passes; maxAttempts and the overall deadline honoured.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LatchkeyClient } from '../latchkey-client.ts';
import { LatchkeyClientError } from '../client-error.ts';
import { backoffDelayMs } from './backoff.ts';
import { seededRandom } from '../testing/seeded-random.ts';
import { startRecordingServer, type RecordingServer } from '../testing/recording-server.ts';
import { fakePorts, refusedUrl, until, type FakePorts } from './router-ports.test-support.ts';
import type { ClientEvent } from '../client-events.ts';
import type { RegionalOptions } from '../client-options.ts';

const NAMES = ['eu', 'us', 'ap'] as const;
type Name = (typeof NAMES)[number];
let servers: Record<Name, RecordingServer>;
let fake: FakePorts;
let events: ClientEvent[];
const clients: LatchkeyClient[] = [];

const CIPHERTEXT = { ciphertext: 'AQID', keyId: 'k', keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
const META = (regions: string[] | null = null) => ({ keyMetadata: { keyId: 'k', regions } });
const unavailable = { status: 503, body: { code: 'DependencyTimeoutException', message: 'no quorum' } };

beforeAll(async () => {
  servers = { eu: await startRecordingServer(), us: await startRecordingServer(), ap: await startRecordingServer() };
});
afterAll(async () => {
  for (const server of Object.values(servers)) await server.close();
});
beforeEach(() => {
  fake = fakePorts(7);
  events = [];
  for (const server of Object.values(servers)) {
    server.requests.length = 0;
    server.answer({ body: CIPHERTEXT });
  }
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function client(options: Partial<RegionalOptions> & { urls?: Partial<Record<Name, string>> } = {}): LatchkeyClient {
  const { urls = {}, ...rest } = options;
  const made = new LatchkeyClient({
    regions: NAMES.map((name) => ({ name, url: urls[name] ?? servers[name].url })),
    // Generous per-attempt time: a busy machine must not turn a slow first answer into a failover.
    homeRegion: 'eu', token: 't', timeoutMs: 5_000, ports: fake.ports, onEvent: (event) => events.push(event),
    ...rest,
  });
  clients.push(made);
  return made;
}

const encrypt = (c: LatchkeyClient, keyId = 'k') => c.encrypt({ keyId, plaintext: Uint8Array.of(1) });
const calls = (type: ClientEvent['type']) => events.filter((event) => event.type === type);
const served = () => calls('call').map((event) => (event.type === 'call' ? `${event.region}:${event.outcome}` : ''));

async function failure(promise: Promise<unknown>): Promise<LatchkeyClientError> {
  const error: unknown = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LatchkeyClientError);
  return error as LatchkeyClientError;
}

describe('routing and failover', () => {
  it('sends every call to the home region while it is healthy', async () => {
    const c = client();
    await encrypt(c);
    await c.describeKey('k');
    expect(servers.eu.requests).toHaveLength(2);
    expect(servers.us.requests.length + servers.ap.requests.length).toBe(0);
  });

  it('fails a read over when home refuses connections, then skips home once it is marked unhealthy', async () => {
    const c = client({ urls: { eu: await refusedUrl() } });
    expect((await encrypt(c)).keyId).toBe('k');
    expect(served()).toEqual(['eu:error', 'us:ok']);
    expect(calls('failover')).toMatchObject([{ fromRegion: 'eu', toRegion: 'us', code: 'NetworkError' }]);
    await encrypt(c);
    expect(calls('region-unhealthy')).toMatchObject([{ region: 'eu', code: 'NetworkError' }]);
    events.length = 0;
    await encrypt(c);
    expect(served()).toEqual(['us:ok']);
    expect(c.regionHealth()).toEqual({ eu: false, us: true, ap: true });
    expect(c.counters.snapshot()).toMatchObject({ failovers: 2, retries: 2, okByRegion: { us: 3 }, regionsMarkedUnhealthy: 1 });
  });

  it('comes back home when the background probe finds it ready', async () => {
    let homeUp = false;
    servers.eu.answer((request) => {
      if (request.path === '/readyz') return homeUp ? { body: { status: 'ready' } } : { status: 503, body: { status: 'not ready' } };
      return homeUp ? { body: CIPHERTEXT } : unavailable;
    });
    const c = client({ health: { probeIntervalMs: 100 } });
    await encrypt(c);
    await encrypt(c);
    expect(c.regionHealth().eu).toBe(false);
    fake.runScheduled();
    // Still not ready: the probe comes back and schedules the next one.
    await until(() => fake.pending() === 1);
    expect(servers.eu.last().path).toBe('/readyz');
    expect(servers.eu.last().headers.authorization).toBeUndefined();
    expect(c.regionHealth().eu).toBe(false);
    homeUp = true;
    fake.runScheduled();
    await until(() => c.regionHealth().eu === true);
    expect(calls('region-healthy')).toMatchObject([{ region: 'eu', via: 'probe' }]);
    events.length = 0;
    await encrypt(c);
    expect(served()).toEqual(['eu:ok']);
  });

  it('lets a trial call through after openMs when probes are off, and closes the circuit on its success', async () => {
    servers.eu.answer(unavailable);
    const c = client({ health: { probeIntervalMs: 0, openMs: 1_000 } });
    await encrypt(c);
    await encrypt(c);
    servers.eu.answer({ body: CIPHERTEXT });
    events.length = 0;
    await encrypt(c);
    expect(served()).toEqual(['us:ok']);
    fake.clock.now += 1_000;
    await encrypt(c);
    expect(served()).toEqual(['us:ok', 'eu:ok']);
    expect(calls('region-healthy')).toMatchObject([{ region: 'eu', via: 'call' }]);
    expect(fake.pending()).toBe(0);
  });

  it('tries another region when the key has not reached home yet, without marking home unhealthy', async () => {
    servers.eu.answer({ status: 503, body: { code: 'KeyUnavailableException', message: 'not here yet' } });
    const c = client();
    await encrypt(c);
    await encrypt(c);
    expect(served()).toEqual(['eu:error', 'us:ok', 'eu:error', 'us:ok']);
    expect(c.regionHealth().eu).toBe(true);
  });

  it('does not repeat a call the node refused for good', async () => {
    servers.eu.answer({ status: 404, body: { code: 'NotFoundException', message: 'no key' } });
    const error = await failure(encrypt(client()));
    expect(error).toMatchObject({ code: 'NotFoundException', attempts: 1, region: 'eu', indeterminate: false });
    expect(servers.us.requests).toHaveLength(0);
  });
});

describe('region pinning', () => {
  it('sends a key seen as pinned only to its regions, even when they fail and home is healthy', async () => {
    servers.eu.answer({ status: 201, body: META(['us', 'ap']) });
    const c = client();
    await c.createKey({ regions: ['us', 'ap'] });
    expect(c.knownKeyRegions('k')).toEqual(['us', 'ap']);
    events.length = 0;
    await encrypt(c);
    servers.us.answer(unavailable);
    await encrypt(c);
    expect(served()).toEqual(['us:ok', 'us:error', 'ap:ok']);
    servers.ap.answer(unavailable);
    expect(await failure(encrypt(c))).toMatchObject({ code: 'DependencyTimeoutException' });
    expect(servers.eu.requests.filter((r) => r.path.includes('/encrypt'))).toHaveLength(0);
  });

  it('learns the policy of a key it has not seen from the refusal, then goes where the key lives', async () => {
    servers.eu.answer((request) => (request.method === 'GET'
      ? { body: META(['ap']) }
      : { status: 403, body: { code: 'KeyNotAllowedInRegionException', message: 'pinned to ap' } }));
    const c = client();
    await encrypt(c);
    expect(served()).toEqual(['eu:error', 'eu:ok', 'ap:ok']);
    events.length = 0;
    await encrypt(c);
    expect(served()).toEqual(['ap:ok']);
  });

  it('routes a decrypt by the key the ciphertext names', async () => {
    servers.eu.answer({ status: 201, body: { keyMetadata: { keyId: 'key-1', regions: ['ap'] } } });
    const c = client();
    await c.createKey({ regions: ['ap'] });
    // A service ciphertext: "LK", format 1, key id length, key id, version, iv, tag, body.
    const keyId = Buffer.from('key-1');
    const blob = Buffer.concat([Buffer.from([0x4c, 0x4b, 1, keyId.length]), keyId, Buffer.from([0, 0, 0, 1]), Buffer.alloc(12 + 16 + 1)]);
    servers.ap.answer({ body: { plaintext: 'AQ==', keyId: 'key-1', keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } });
    await c.decrypt({ ciphertext: blob });
    expect(servers.ap.last().path).toBe('/v1/decrypt');
  });

  it('refuses a call no configured region may serve', async () => {
    servers.eu.answer({ status: 201, body: META(['mars']) });
    const c = client();
    await c.createKey({ regions: ['mars'] });
    expect(await failure(encrypt(c))).toMatchObject({ code: 'KeyNotAllowedInRegionException', status: null });
  });
});

describe('what is retried', () => {
  it('reports a plain write that timed out as indeterminate and never sends it again', async () => {
    servers.eu.answer({ status: 201, body: META(), delayMs: 2_000 });
    const error = await failure(client({ timeoutMs: 300 }).createKey());
    expect(error).toMatchObject({ code: 'TimeoutException', indeterminate: true, attempts: 1 });
    expect(servers.us.requests.length + servers.ap.requests.length).toBe(0);
  });

  it('reports a 504 IndeterminateException on a plain write as indeterminate, not retried', async () => {
    servers.eu.answer({ status: 504, body: { code: 'IndeterminateException', message: 'stored, not applied' } });
    const error = await failure(client().rotateKey('k'));
    expect(error).toMatchObject({ code: 'IndeterminateException', indeterminate: true, attempts: 1 });
    expect(servers.us.requests).toHaveLength(0);
  });

  it('does not repeat a plain write the node answered with 503', async () => {
    servers.eu.answer(unavailable);
    expect(await failure(client().createKey())).toMatchObject({ code: 'DependencyTimeoutException', indeterminate: false, attempts: 1 });
    expect(servers.us.requests).toHaveLength(0);
  });

  it('sends an idempotent create to another region after an unknown outcome, with the same key', async () => {
    servers.eu.answer({ hangUp: true });
    servers.us.answer({ status: 201, body: META() });
    const c = client();
    expect((await c.createKey({ idempotencyKey: 'once' })).keyMetadata.keyId).toBe('k');
    expect(servers.eu.last().body).toEqual({ idempotencyKey: 'once' });
    expect(servers.us.last().body).toEqual({ idempotencyKey: 'once' });
    servers.us.answer({ body: META() });
    await c.rotateKey('k', { idempotencyKey: 'rot-1' });
    expect(servers.us.last().body).toEqual({ idempotencyKey: 'rot-1' });
  });

  it('sends a plain write elsewhere when home refused the connection, since nothing was sent', async () => {
    servers.us.answer({ status: 201, body: META() });
    await client({ urls: { eu: await refusedUrl() } }).createKey();
    expect(servers.us.requests).toHaveLength(1);
  });

  it('keeps a write indeterminate when an earlier attempt may have applied it, whatever the last one said', async () => {
    servers.eu.answer({ hangUp: true });
    servers.us.answer(unavailable);
    servers.ap.answer(unavailable);
    const error = await failure(client({ retry: { maxAttempts: 3 } }).createKey({ idempotencyKey: 'x' }));
    expect(error).toMatchObject({ code: 'DependencyTimeoutException', indeterminate: true, attempts: 3 });
    expect(error.message).toMatch(/earlier attempt may have been applied/);
  });
});

describe('backoff, attempts and deadline', () => {
  it('waits with full jitter from the injected random source between passes and stops at maxAttempts', async () => {
    for (const server of Object.values(servers)) server.answer(unavailable);
    const error = await failure(encrypt(client({ retry: { maxAttempts: 7, baseDelayMs: 100, maxDelayMs: 1_000 } })));
    expect(error).toMatchObject({ code: 'DependencyTimeoutException', attempts: 7 });
    expect(served()).toEqual(['eu', 'us', 'ap', 'eu', 'us', 'ap', 'eu'].map((r) => `${r}:error`));
    const random = seededRandom(7);
    const settings = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(fake.sleeps).toEqual([backoffDelayMs(1, settings, random), backoffDelayMs(2, settings, random)]);
    expect(calls('retry').map((event) => (event.type === 'retry' ? event.delayMs : -1))).toEqual([0, 0, fake.sleeps[0], 0, 0, fake.sleeps[1]]);
  });

  it('gives up when the next wait would pass the overall deadline', async () => {
    for (const server of Object.values(servers)) server.answer(unavailable);
    const error = await failure(encrypt(client({ deadlineMs: 1_000, retry: { baseDelayMs: 5_000, maxDelayMs: 5_000 }, ports: { ...fake.ports, random: () => 0.5 } })));
    expect(error.attempts).toBe(3);
    expect(fake.sleeps).toEqual([]);
  });

  it('shortens an attempt to what is left of the deadline', async () => {
    servers.eu.answer({ body: CIPHERTEXT, delayMs: 2_000 });
    const c = new LatchkeyClient({ regions: [{ name: 'eu', url: servers.eu.url }], homeRegion: 'eu', token: 't', timeoutMs: 5_000, deadlineMs: 200 });
    clients.push(c);
    const started = performance.now();
    expect(await failure(encrypt(c))).toMatchObject({ code: 'TimeoutException' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe('metrics hooks', () => {
  it('counts calls by operation, region and outcome, and survives a hook that throws', async () => {
    servers.eu.answer(unavailable);
    const c = client({ onEvent: () => { throw new Error('broken exporter'); } });
    await encrypt(c);
    expect(c.counters.snapshot().calls).toEqual({ 'Encrypt eu error': 1, 'Encrypt us ok': 1 });
    expect(c.counters.callsOf('Encrypt')).toBe(2);
    expect(c.counters.callsOf('Encrypt', 'us')).toBe(1);
  });
});
