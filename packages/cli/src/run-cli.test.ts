// Proves each CLI command end to end in memory against a real HTTP fake of the node: the request it
// sends (method, path, token, body), what it prints and where, and its exit status (0 ok, 1 service
// error or invalid signature, 2 usage error) with errors printed as `error <code>: <message>`.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '@latchkey/client/testing';
import { memoryIo, type MemoryIo } from './memory-io.ts';
import { runCli } from './run-cli.ts';

let server: RecordingServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startRecordingServer();
  env = { LATCHKEY_URL: server.url, LATCHKEY_TOKEN: 'cli-token' };
});
afterAll(() => server.close());
beforeEach(() => server.answer({ body: {} }));

const METADATA = { keyId: 'k1', keySpec: 'SYMMETRIC_DEFAULT', keyState: 'Enabled', currentVersion: 1 };
const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');

async function run(argv: string[], setup: Parameters<typeof memoryIo>[0] = {}): Promise<{ code: number; io: MemoryIo }> {
  const io = memoryIo(setup);
  return { code: await runCli(argv, env, io), io };
}

function sentBody(): Record<string, unknown> {
  return server.last().body as Record<string, unknown>;
}

describe('key commands print JSON', () => {
  it('keys create sends the flags as a CreateKey body and prints the key metadata', async () => {
    server.answer({ status: 201, body: { keyMetadata: METADATA } });
    const { code, io } = await run(['keys', 'create', '--spec', 'SYMMETRIC_DEFAULT', '--description', 'pay', '--tag', 'team=pay', '--region', 'eu']);
    expect(code).toBe(0);
    expect(server.last()).toMatchObject({ method: 'POST', path: '/v1/keys' });
    expect(server.last().headers.authorization).toBe('Bearer cli-token');
    expect(sentBody()).toEqual({ keySpec: 'SYMMETRIC_DEFAULT', description: 'pay', tags: { team: 'pay' }, regions: ['eu'] });
    expect(JSON.parse(io.stdout())).toEqual(METADATA);
    expect(io.stderr()).toBe('');
  });

  it('keys list follows every page and prints one array', async () => {
    server.answer((request) => request.query.get('marker') === null
      ? { body: { keys: [{ keyId: 'a' }], nextMarker: 'a', truncated: true } }
      : { body: { keys: [{ keyId: 'b' }], truncated: false } });
    const { code, io } = await run(['keys', 'list']);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual([{ keyId: 'a' }, { keyId: 'b' }]);
  });

  it('keys describe and rotate address an alias encoded and print the metadata', async () => {
    server.answer({ body: { keyMetadata: METADATA } });
    const described = await run(['keys', 'describe', 'alias/pay']);
    expect(server.last()).toMatchObject({ method: 'GET', path: '/v1/keys/alias%2Fpay' });
    expect(JSON.parse(described.io.stdout())).toEqual(METADATA);

    const rotated = await run(['rotate', 'alias/pay']);
    expect(rotated.code).toBe(0);
    expect(server.last()).toMatchObject({ method: 'POST', path: '/v1/keys/alias%2Fpay/rotate' });
    expect(JSON.parse(rotated.io.stdout())).toEqual(METADATA);
  });
});

describe('data commands print plain values', () => {
  const encrypted = { ciphertext: b64('CIPHERTEXT'), keyId: 'k1', keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };

  it('encrypt sends --plaintext as base64 with its context and prints the base64 ciphertext', async () => {
    server.answer({ body: encrypted });
    const { code, io } = await run(['encrypt', 'alias/pay', '--plaintext', 'hello', '--context', 'tenant=t1']);
    expect(code).toBe(0);
    expect(server.last().path).toBe('/v1/keys/alias%2Fpay/encrypt');
    expect(sentBody()).toEqual({ plaintext: b64('hello'), encryptionContext: { tenant: 't1' } });
    expect(io.stdout()).toBe(`${b64('CIPHERTEXT')}\n`);
  });

  it('encrypt reads --in files and stdin as raw bytes', async () => {
    server.answer({ body: encrypted });
    const binary = Uint8Array.of(0, 255, 10, 13);
    await run(['encrypt', 'k1', '--in', 'secret.bin'], { files: { 'secret.bin': binary } });
    expect(sentBody().plaintext).toBe(b64(binary));
    await run(['encrypt', 'k1'], { stdin: 'from stdin' });
    expect(sentBody().plaintext).toBe(b64('from stdin'));
  });

  it('encrypt --json prints the whole answer with bytes as base64', async () => {
    server.answer({ body: encrypted });
    const { io } = await run(['encrypt', 'k1', '--plaintext', 'x', '--json']);
    expect(JSON.parse(io.stdout())).toEqual(encrypted);
  });

  it('decrypt takes base64 from --ciphertext, a file or stdin and writes the raw plaintext', async () => {
    const plaintext = Uint8Array.of(0xde, 0xad, 0, 0xbe, 0xef);
    server.answer({ body: { plaintext: b64(plaintext), keyId: 'k1', keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } });
    const inline = await run(['decrypt', '--ciphertext', b64('CT'), '--context', 'tenant=t1']);
    expect(inline.code).toBe(0);
    expect(server.last()).toMatchObject({ method: 'POST', path: '/v1/decrypt' });
    expect(sentBody()).toEqual({ ciphertext: b64('CT'), encryptionContext: { tenant: 't1' } });
    expect(inline.io.stdoutBytes()).toEqual(plaintext);

    await run(['decrypt', '--in', 'ct.txt'], { files: { 'ct.txt': `${b64('FROM FILE')}\n` } });
    expect(sentBody().ciphertext).toBe(b64('FROM FILE'));
    await run(['decrypt'], { stdin: `${b64('FROM STDIN')}\n` });
    expect(sentBody().ciphertext).toBe(b64('FROM STDIN'));
  });

  it('decrypt refuses input that is not base64 without calling the node', async () => {
    const before = server.requests.length;
    const { code, io } = await run(['decrypt'], { stdin: 'definitely not base64' });
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/^error UsageError: the ciphertext must be standard base64/);
    expect(server.requests.length).toBe(before);
  });

  it('sign sends a RAW message, or with --digest only its local hash, and prints the signature', async () => {
    server.answer({ body: { signature: b64('SIG'), keyId: 'k1', signingAlgorithm: 'ECDSA_SHA_256' } });
    const raw = await run(['sign', 'k1', '--algorithm', 'ECDSA_SHA_256', '--message', 'release 1.0']);
    expect(raw.code).toBe(0);
    expect(server.last().path).toBe('/v1/keys/k1/sign');
    expect(sentBody()).toEqual({ message: b64('release 1.0'), messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' });
    expect(raw.io.stdout()).toBe(`${b64('SIG')}\n`);

    const artifact = new Uint8Array(10_000).fill(7);
    await run(['sign', 'k1', '--algorithm', 'RSASSA_PSS_SHA_384', '--in', 'app.tgz', '--digest'], { files: { 'app.tgz': artifact } });
    expect(sentBody()).toEqual({ message: createHash('sha384').update(artifact).digest('base64'), messageType: 'DIGEST', signingAlgorithm: 'RSASSA_PSS_SHA_384' });
  });

  it('verify prints valid and exits 0, or invalid and exits 1', async () => {
    server.answer({ body: { signatureValid: true, keyId: 'k1', signingAlgorithm: 'ECDSA_SHA_256' } });
    const valid = await run(['verify', 'k1', '--algorithm', 'ECDSA_SHA_256', '--message', 'm', '--signature', b64('SIG')]);
    expect(valid).toMatchObject({ code: 0 });
    expect(valid.io.stdout()).toBe('valid\n');
    expect(server.last().path).toBe('/v1/keys/k1/verify');
    expect(sentBody()).toEqual({ message: b64('m'), messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256', signature: b64('SIG') });

    server.answer({ status: 400, body: { code: 'KMSInvalidSignatureException', message: 'signature does not verify' } });
    const invalid = await run(['verify', 'k1', '--algorithm', 'ECDSA_SHA_256', '--message', 'm', '--signature', b64('BAD')]);
    expect(invalid.code).toBe(1);
    expect(invalid.io.stdout()).toBe('invalid\n');
    expect(invalid.io.stderr()).toBe('');

    const asJson = await run(['verify', 'k1', '--algorithm', 'ECDSA_SHA_256', '--message', 'm', '--signature', b64('BAD'), '--json']);
    expect(JSON.parse(asJson.io.stdout())).toEqual({ signatureValid: false, keyId: 'k1', signingAlgorithm: 'ECDSA_SHA_256' });
  });
});

describe('alias and token commands', () => {
  const alias = { aliasName: 'alias/pay', targetKeyId: 'k1', creationDate: '2026-01-01T00:00:00.000Z', lastUpdatedDate: '2026-01-01T00:00:00.000Z' };

  it('aliases list, create, update and delete', async () => {
    server.answer({ body: { aliases: [alias], truncated: false } });
    const listed = await run(['aliases', 'list', '--key-id', 'k1']);
    expect(server.last()).toMatchObject({ method: 'GET', path: '/v1/aliases' });
    expect(server.last().query.get('keyId')).toBe('k1');
    expect(JSON.parse(listed.io.stdout())).toEqual([alias]);

    server.answer({ status: 201, body: { alias } });
    const created = await run(['aliases', 'create', 'alias/pay', 'k1']);
    expect(server.last()).toMatchObject({ method: 'POST', path: '/v1/aliases', body: { aliasName: 'alias/pay', targetKeyId: 'k1' } });
    expect(JSON.parse(created.io.stdout())).toEqual(alias);

    server.answer({ body: { alias } });
    await run(['aliases', 'update', 'alias/pay', 'k2']);
    expect(server.last()).toMatchObject({ method: 'PUT', path: '/v1/aliases/alias/pay', body: { targetKeyId: 'k2' } });

    server.answer({ status: 204 });
    const deleted = await run(['aliases', 'delete', 'alias/pay']);
    expect(deleted.code).toBe(0);
    expect(server.last()).toMatchObject({ method: 'DELETE', path: '/v1/aliases/alias/pay' });
    expect(deleted.io.stdout()).toBe('');
  });

  it('tokens create, list and revoke', async () => {
    const created = { tokenId: 't1', principal: 'ci', admin: true, token: 'lk_secret' };
    server.answer({ status: 201, body: created });
    const made = await run(['tokens', 'create', 'ci', '--admin']);
    expect(server.last()).toMatchObject({ method: 'POST', path: '/v1/tokens', body: { principal: 'ci', admin: true } });
    expect(JSON.parse(made.io.stdout())).toEqual(created);

    const info = { tokenId: 't1', principal: 'ci', admin: true, creationDate: '2026-01-01T00:00:00.000Z' };
    server.answer({ body: { tokens: [info] } });
    const listed = await run(['tokens', 'list']);
    expect(server.last()).toMatchObject({ method: 'GET', path: '/v1/tokens' });
    expect(JSON.parse(listed.io.stdout())).toEqual([info]);

    server.answer({ status: 204 });
    expect((await run(['tokens', 'revoke', 't1'])).code).toBe(0);
    expect(server.last()).toMatchObject({ method: 'DELETE', path: '/v1/tokens/t1' });
  });
});

describe('errors and configuration', () => {
  it('prints a service error as error <code>: <message> and exits 1', async () => {
    server.answer({ status: 404, body: { code: 'NotFoundException', message: 'key k9 not found', requestId: 'req-9' } });
    const { code, io } = await run(['keys', 'describe', 'k9']);
    expect(code).toBe(1);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe('error NotFoundException: key k9 not found\nrequest id: req-9\n');
  });

  it('says when a failed change may nevertheless have happened', async () => {
    server.answer({ status: 504, body: { code: 'IndeterminateException', message: 'outcome unknown', requestId: 'req-5' } });
    const { code, io } = await run(['rotate', 'k1']);
    expect(code).toBe(1);
    expect(io.stderr()).toMatch(/^error IndeterminateException: outcome unknown\nnote: the outcome is unknown; the change may have been applied/);
  });

  it('exits 2 on usage errors without calling the node, and 0 on help', async () => {
    const before = server.requests.length;
    const wrong = await run(['keys', 'describe']);
    expect(wrong.code).toBe(2);
    expect(wrong.io.stderr()).toMatch(/^error UsageError: usage: latchkey keys describe <keyId>/);
    expect((await run(['encrypt', 'k1', '--in', 'missing.bin'])).io.stderr()).toMatch(/^error UsageError: cannot read missing.bin: ENOENT/);
    const help = await run(['help']);
    expect(help.code).toBe(0);
    expect(help.io.stdout()).toMatch(/^latchkey: operator CLI/);
    expect(server.requests.length).toBe(before);
  });

  it('uses --url and --token over the environment, and the default token file when nothing else is set', async () => {
    server.answer({ body: { keyMetadata: METADATA } });
    const io = memoryIo();
    expect(await runCli(['keys', 'describe', 'k1', '--url', server.url, '--token', 'flag-token'], { LATCHKEY_URL: 'http://unused.invalid', LATCHKEY_TOKEN: 'env' }, io)).toBe(0);
    expect(server.last().headers.authorization).toBe('Bearer flag-token');

    const withFile = memoryIo({ files: { './.data/admin.token': 'file-token\n' } });
    expect(await runCli(['keys', 'describe', 'k1'], { LATCHKEY_URL: server.url }, withFile)).toBe(0);
    expect(server.last().headers.authorization).toBe('Bearer file-token');

    const none = memoryIo();
    expect(await runCli(['keys', 'describe', 'k1'], { LATCHKEY_URL: server.url }, none)).toBe(2);
    expect(none.stderr()).toMatch(/^error UsageError: no token/);
  });

  it('reports an unreachable node as a NetworkError and exits 1', async () => {
    // A port that was just free: bind it, note it, release it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const io = memoryIo();
    expect(await runCli(['keys', 'list'], { LATCHKEY_URL: `http://127.0.0.1:${port}`, LATCHKEY_TOKEN: 't' }, io)).toBe(1);
    expect(io.stderr()).toMatch(/^error NetworkError: /);
  });
});
