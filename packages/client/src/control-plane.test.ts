// Proves every control-plane, alias, token and probe method sends the method, path, query, headers
// and body that docs/api.md specifies (checked on a real HTTP server), decodes what comes back, and
// follows list markers to the end.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LatchkeyClient } from './latchkey-client.ts';
import { LatchkeyClientError } from './client-error.ts';
import { startRecordingServer, type RecordingServer } from './testing/recording-server.ts';

let server: RecordingServer;
let client: LatchkeyClient;

beforeAll(async () => {
  server = await startRecordingServer();
  client = new LatchkeyClient({ url: server.url, token: 'admin-token' });
});
afterAll(() => server.close());
beforeEach(() => server.answer({ status: 200, body: { keyMetadata: { keyId: 'k1' } } }));

const KEY = 'alias/billing';
const KEY_IN_PATH = '/v1/keys/alias%2Fbilling';

interface WireCase {
  readonly name: string;
  readonly run: (c: LatchkeyClient) => Promise<unknown>;
  readonly method: string;
  readonly path: string;
  /** undefined: no body must be sent. */
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly answer?: unknown;
  readonly status?: number;
}

const CASES: readonly WireCase[] = [
  {
    name: 'createKey', method: 'POST', path: '/v1/keys', status: 201,
    run: (c) => c.createKey({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', description: 'd', tags: { team: 'pay' }, regions: ['eu-west'], rotationPeriodDays: 90, idempotencyKey: 'idem-1' }),
    body: { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', description: 'd', tags: { team: 'pay' }, regions: ['eu-west'], rotationPeriodDays: 90, idempotencyKey: 'idem-1' },
  },
  { name: 'createKey with defaults', method: 'POST', path: '/v1/keys', run: (c) => c.createKey(), body: {} },
  { name: 'describeKey', method: 'GET', path: KEY_IN_PATH, run: (c) => c.describeKey(KEY) },
  {
    name: 'listKeys', method: 'GET', path: '/v1/keys', query: { limit: '2', marker: 'k1' }, answer: { keys: [], truncated: false },
    run: (c) => c.listKeys({ limit: 2, marker: 'k1' }),
  },
  { name: 'enableKey', method: 'POST', path: `${KEY_IN_PATH}/enable`, body: {}, run: (c) => c.enableKey(KEY) },
  { name: 'disableKey', method: 'POST', path: `${KEY_IN_PATH}/disable`, body: {}, run: (c) => c.disableKey(KEY) },
  {
    name: 'updateKeyDescription', method: 'PUT', path: `${KEY_IN_PATH}/description`, body: { description: 'new' },
    run: (c) => c.updateKeyDescription({ keyId: KEY, description: 'new' }),
  },
  { name: 'listTags', method: 'GET', path: `${KEY_IN_PATH}/tags`, answer: { tags: {} }, run: (c) => c.listTags(KEY) },
  { name: 'tagKey', method: 'POST', path: `${KEY_IN_PATH}/tags`, body: { tags: { a: '1' } }, run: (c) => c.tagKey({ keyId: KEY, tags: { a: '1' } }) },
  { name: 'untagKey', method: 'POST', path: `${KEY_IN_PATH}/untag`, body: { tagKeys: ['a'] }, run: (c) => c.untagKey({ keyId: KEY, tagKeys: ['a'] }) },
  {
    name: 'scheduleKeyDeletion', method: 'POST', path: `${KEY_IN_PATH}/schedule-deletion`, body: { pendingWindowDays: 7 },
    run: (c) => c.scheduleKeyDeletion({ keyId: KEY, pendingWindowDays: 7 }),
  },
  { name: 'scheduleKeyDeletion default', method: 'POST', path: `${KEY_IN_PATH}/schedule-deletion`, body: {}, run: (c) => c.scheduleKeyDeletion({ keyId: KEY }) },
  { name: 'cancelKeyDeletion', method: 'POST', path: `${KEY_IN_PATH}/cancel-deletion`, body: {}, run: (c) => c.cancelKeyDeletion(KEY) },
  { name: 'rotateKey', method: 'POST', path: `${KEY_IN_PATH}/rotate`, body: {}, run: (c) => c.rotateKey(KEY) },
  { name: 'listKeyRotations', method: 'GET', path: `${KEY_IN_PATH}/rotations`, answer: { rotations: [] }, run: (c) => c.listKeyRotations(KEY) },
  {
    name: 'getKeyRotationStatus', method: 'GET', path: `${KEY_IN_PATH}/rotation`, answer: { keyRotationEnabled: false },
    run: (c) => c.getKeyRotationStatus(KEY),
  },
  {
    name: 'setKeyRotation', method: 'PUT', path: `${KEY_IN_PATH}/rotation`, body: { enabled: true, rotationPeriodDays: 180 },
    run: (c) => c.setKeyRotation({ keyId: KEY, enabled: true, rotationPeriodDays: 180 }),
  },
  {
    name: 'setMinDecryptionVersion', method: 'PUT', path: `${KEY_IN_PATH}/min-decryption-version`, body: { minDecryptionVersion: 3 },
    run: (c) => c.setMinDecryptionVersion({ keyId: KEY, minDecryptionVersion: 3 }),
  },
  {
    name: 'getPublicKey', method: 'GET', path: `${KEY_IN_PATH}/public-key`, answer: { keyId: 'k1', publicKey: 'AQID', publicKeyPem: 'PEM' },
    run: (c) => c.getPublicKey(KEY),
  },
  {
    name: 'createAlias', method: 'POST', path: '/v1/aliases', status: 201, body: { aliasName: 'alias/a', targetKeyId: 'k1' }, answer: { alias: {} },
    run: (c) => c.createAlias({ aliasName: 'alias/a', targetKeyId: 'k1' }),
  },
  {
    name: 'listAliases', method: 'GET', path: '/v1/aliases', query: { keyId: 'alias/a', limit: '5', marker: 'alias/m' },
    answer: { aliases: [], truncated: false }, run: (c) => c.listAliases({ keyId: 'alias/a', limit: 5, marker: 'alias/m' }),
  },
  {
    name: 'updateAlias', method: 'PUT', path: '/v1/aliases/alias/billing', body: { targetKeyId: 'k2' }, answer: { alias: {} },
    run: (c) => c.updateAlias({ aliasName: KEY, targetKeyId: 'k2' }),
  },
  { name: 'deleteAlias', method: 'DELETE', path: '/v1/aliases/alias/billing', status: 204, answer: null, run: (c) => c.deleteAlias(KEY) },
  {
    name: 'createToken', method: 'POST', path: '/v1/tokens', status: 201, body: { principal: 'ci', admin: true },
    answer: { tokenId: 't1', principal: 'ci', admin: true, token: 'secret' }, run: (c) => c.createToken({ principal: 'ci', admin: true }),
  },
  { name: 'listTokens', method: 'GET', path: '/v1/tokens', answer: { tokens: [] }, run: (c) => c.listTokens() },
  { name: 'revokeToken', method: 'DELETE', path: '/v1/tokens/t%2F1', status: 204, answer: null, run: (c) => c.revokeToken('t/1') },
  { name: 'whoami', method: 'GET', path: '/v1/whoami', answer: { principal: 'admin', admin: true }, run: (c) => c.whoami() },
];

describe('control plane on the wire', () => {
  it.each(CASES)('$name sends $method $path', async (wire) => {
    server.answer({ status: wire.status ?? 200, ...(wire.answer === null ? {} : { body: wire.answer ?? { keyMetadata: { keyId: 'k1' } } }) });
    await wire.run(client);
    const sent = server.last();
    expect(sent.method).toBe(wire.method);
    expect(sent.path).toBe(wire.path);
    expect(Object.fromEntries(sent.query)).toEqual(wire.query ?? {});
    expect(sent.headers.authorization).toBe('Bearer admin-token');
    expect(sent.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    if (wire.body === undefined) {
      expect(sent.rawBody).toBe('');
      expect(sent.headers['content-type']).toBeUndefined();
    } else {
      expect(sent.headers['content-type']).toBe('application/json');
      expect(sent.body).toEqual(wire.body);
    }
  });

  it('sends a fresh request id each time', async () => {
    await client.describeKey('k');
    await client.describeKey('k');
    const [a, b] = server.requests.slice(-2);
    expect(a!.headers['x-request-id']).not.toBe(b!.headers['x-request-id']);
  });
});

describe('control plane answers', () => {
  it('hands back the documented answer, keeping fields it does not know', async () => {
    server.answer({ body: { keyMetadata: { keyId: 'k1', keyState: 'Enabled' }, aliases: ['alias/x'] } });
    expect(await client.describeKey('k1')).toEqual({ keyMetadata: { keyId: 'k1', keyState: 'Enabled' }, aliases: ['alias/x'] });
  });

  it('decodes the public key to bytes', async () => {
    server.answer({ body: { keyId: 'k1', publicKey: Buffer.from([0x30, 0x59, 0xff]).toString('base64'), publicKeyPem: '-----BEGIN' } });
    const answer = await client.getPublicKey('k1');
    expect(answer.publicKey).toEqual(Uint8Array.of(0x30, 0x59, 0xff));
    expect(answer.publicKeyPem).toBe('-----BEGIN');
  });

  it('resolves deleteAlias and revokeToken on 204', async () => {
    server.answer({ status: 204 });
    await expect(client.deleteAlias('alias/x')).resolves.toBeUndefined();
    await expect(client.revokeToken('t1')).resolves.toBeUndefined();
  });

  it('keys() follows markers to the last page', async () => {
    server.answer((request) => {
      const marker = request.query.get('marker');
      if (marker === null) return { body: { keys: [{ keyId: 'a' }, { keyId: 'b' }], nextMarker: 'b', truncated: true } };
      if (marker === 'b') return { body: { keys: [{ keyId: 'c' }], nextMarker: 'c', truncated: true } };
      return { body: { keys: [], truncated: false } };
    });
    const before = server.requests.length;
    const seen: string[] = [];
    for await (const key of client.keys({ limit: 2 })) seen.push(key.keyId);
    expect(seen).toEqual(['a', 'b', 'c']);
    const pages = server.requests.slice(before);
    expect(pages.map((r) => r.query.get('marker'))).toEqual([null, 'b', 'c']);
    expect(pages.every((r) => r.query.get('limit') === '2')).toBe(true);
  });

  it('aliases() follows markers and stops with an error on a marker that repeats', async () => {
    server.answer((request) => ({
      body: { aliases: [{ aliasName: `alias/${request.query.get('marker') ?? 'first'}` }], nextMarker: 'same', truncated: true },
    }));
    const seen: string[] = [];
    const error = await (async () => {
      for await (const alias of client.aliases({ keyId: 'k1' })) seen.push(alias.aliasName);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['alias/first', 'alias/same']);
    expect(error).toBeInstanceOf(LatchkeyClientError);
    expect((error as LatchkeyClientError).code).toBe('InvalidResponseException');
    expect(server.last().query.get('keyId')).toBe('k1');
  });
});

describe('probes', () => {
  it('sends no token and reports status instead of throwing on 503', async () => {
    server.answer({ status: 200, body: { status: 'ok', region: 'eu' } });
    expect(await client.health()).toEqual({ ok: true, status: 200, details: { status: 'ok', region: 'eu' } });
    expect(server.last().path).toBe('/healthz');
    expect(server.last().headers.authorization).toBeUndefined();

    server.answer({ status: 503, body: { status: 'not ready', region: 'eu' } });
    expect(await client.ready()).toEqual({ ok: false, status: 503, details: { status: 'not ready', region: 'eu' } });
    expect(server.last().path).toBe('/readyz');

    server.answer({ status: 503, rawBody: '<html>down</html>' });
    expect(await client.ready()).toEqual({ ok: false, status: 503, details: {} });
  });
});
