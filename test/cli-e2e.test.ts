// Proves the operator CLI works end to end against a real node: the real entry point
// (`node packages/cli/src/main.ts`) as its own process, configured by LATCHKEY_URL and
// LATCHKEY_TOKEN, against an in-process node. Keys are created, listed and described; encrypt and
// decrypt round-trip text, binary files and stdin, and a wrong context is refused; signatures made
// by the CLI verify (exit 0) and also verify independently with node:crypto, while a tampered
// signature or message is "invalid" (exit 1); rotation keeps old ciphertexts readable; aliases are
// created, used, moved and deleted; tokens are issued, used, listed without their secret, and revoked.
import { spawn } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../packages/node/src/testing/test-node.ts';
import { tempDir, type TempDir } from '../packages/testkit/src/index.ts';
import { REPO_ROOT } from './support/node-process.ts';

const CLI_MAIN = path.join(REPO_ROOT, 'packages/cli/src/main.ts');
const CLI_TIMEOUT_MS = 20_000;

interface CliResult { readonly code: number | null; readonly stdout: Buffer; readonly stderr: string; readonly out: string }

let t: TestNode;
let dir: TempDir;

/** Runs `latchkey <args>` with the admin token unless another is given; stdin is closed or fed. */
function latchkey(args: readonly string[], options: { token?: string; stdin?: string | Buffer } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // cwd is an empty folder, so the CLI's default token file (./.data/admin.token) cannot be found by accident.
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: dir.path,
      // Node's compile cache (type-stripped and compiled modules) makes each later start ~5x faster.
      env: { PATH: process.env.PATH ?? '', LATCHKEY_URL: t.url, LATCHKEY_TOKEN: options.token ?? t.token, NODE_COMPILE_CACHE: path.join(dir.path, 'compile-cache') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout);
      resolve({ code, stdout: out, out: out.toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A command that must succeed; its stdout parsed as JSON. */
async function json(args: readonly string[], options: { token?: string } = {}): Promise<any> {
  const result = await latchkey(args, options);
  expect(result.code, `latchkey ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.out);
}

async function succeeds(args: readonly string[], options: { token?: string; stdin?: string | Buffer } = {}): Promise<CliResult> {
  const result = await latchkey(args, options);
  expect(result.code, `latchkey ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

let symmetricKey: string;
let otherSymmetricKey: string;
let signingKey: string;

beforeAll(async () => {
  dir = await tempDir('latchkey-cli-');
  t = await startTestNode();
  await succeeds(['help']); // fills the compile cache once, before the parallel starts below
  const [symmetric, other, signing] = await Promise.all([
    json(['keys', 'create', '--description', 'cli e2e', '--tag', 'team=cli', '--tag', 'env=test']),
    json(['keys', 'create', '--description', 'cli e2e other']),
    json(['keys', 'create', '--spec', 'ECC_NIST_P256', '--usage', 'SIGN_VERIFY', '--description', 'cli signer']),
  ]);
  symmetricKey = symmetric.keyId;
  otherSymmetricKey = other.keyId;
  signingKey = signing.keyId;
  expect(symmetric).toMatchObject({ keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', description: 'cli e2e', tags: { team: 'cli', env: 'test' } });
  expect(signing).toMatchObject({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await dir?.cleanup();
});

// The groups are independent (no two change the same key or alias), so they run concurrently:
// each CLI start is a process of its own, and two cores start two at a time.
describe.concurrent('the latchkey CLI against a live node', () => {
  describe('latchkey keys', () => {
    it('lists and describes what it created, as the node has it', async () => {
      const [listed, described] = await Promise.all([json(['keys', 'list']), json(['keys', 'describe', symmetricKey])]);
      expect(listed.map((k: { keyId: string }) => k.keyId)).toEqual(expect.arrayContaining([symmetricKey, otherSymmetricKey, signingKey]));
      expect(described).toEqual((await t.call('GET', `/v1/keys/${symmetricKey}`)).body.keyMetadata);
    });
  });

  describe('latchkey encrypt and decrypt', () => {
    it('round-trips text with a context; a wrong context is refused with its code on stderr and exit 1', async () => {
      const encrypted = await succeeds(['encrypt', symmetricKey, '--plaintext', 'card 4111 ✓', '--context', 'order=42', '--context', 'tenant=t1']);
      const ciphertext = encrypted.out.trim();
      expect(Buffer.from(ciphertext, 'base64').subarray(0, 2).toString()).toBe('LK');
      const [viaFlag, wrongContext] = await Promise.all([
        succeeds(['decrypt', '--ciphertext', ciphertext, '--context', 'tenant=t1', '--context', 'order=42']),
        latchkey(['decrypt', '--ciphertext', ciphertext, '--context', 'order=43', '--context', 'tenant=t1']),
      ]);
      expect(viaFlag.out).toBe('card 4111 ✓'); // raw plaintext, no newline added
      expect(wrongContext.code).toBe(1);
      expect(wrongContext.stderr).toMatch(/^error InvalidCiphertextException: /);
      expect(wrongContext.out).toBe('');
    });

    it('round-trips a binary file byte for byte (ciphertext read back from stdin)', async () => {
      const file = path.join(dir.path, 'all-bytes.bin');
      const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      await writeFile(file, bytes);
      const ciphertext = (await succeeds(['encrypt', symmetricKey, '--in', file])).out;
      expect((await succeeds(['decrypt'], { stdin: ciphertext })).stdout.equals(bytes)).toBe(true);
    });
  });

  describe('latchkey sign and verify', () => {
    const algorithm = ['--algorithm', 'ECDSA_SHA_256'];

    it('makes signatures that verify (exit 0, and with node:crypto); a tampered signature or message is "invalid" (exit 1)', async () => {
      const signature = (await succeeds(['sign', signingKey, ...algorithm, '--message', 'release v1.2.3'])).out.trim();
      const publicKey = createPublicKey({ key: Buffer.from((await t.call('GET', `/v1/keys/${signingKey}/public-key`)).body.publicKey, 'base64'), format: 'der', type: 'spki' });
      expect(cryptoVerify('sha256', Buffer.from('release v1.2.3'), publicKey, Buffer.from(signature, 'base64'))).toBe(true);
      const tampered = Buffer.from(signature, 'base64');
      tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 0x01;
      const [valid, badSignature, badMessage] = await Promise.all([
        latchkey(['verify', signingKey, ...algorithm, '--message', 'release v1.2.3', '--signature', signature]),
        latchkey(['verify', signingKey, ...algorithm, '--message', 'release v1.2.3', '--signature', tampered.toString('base64')]),
        latchkey(['verify', signingKey, ...algorithm, '--message', 'release v1.2.4', '--signature', signature]),
      ]);
      expect({ code: valid.code, out: valid.out.trim() }).toEqual({ code: 0, out: 'valid' });
      for (const result of [badSignature, badMessage]) expect({ code: result.code, out: result.out.trim() }).toEqual({ code: 1, out: 'invalid' });
    });

    it('signs a large file by digest (--digest) and verifies it the same way', async () => {
      const file = path.join(dir.path, 'artifact.tgz');
      await writeFile(file, Buffer.alloc(100_000, 'latchkey'));
      const signature = (await succeeds(['sign', signingKey, ...algorithm, '--in', file, '--digest'])).out.trim();
      const verified = await latchkey(['verify', signingKey, ...algorithm, '--in', file, '--digest', '--signature', signature]);
      expect({ code: verified.code, out: verified.out.trim() }).toEqual({ code: 0, out: 'valid' });
    });
  });

  describe('latchkey rotate', () => {
    it('adds a version; ciphertexts from before still decrypt, new ones use the new version', async () => {
      const before = (await succeeds(['encrypt', otherSymmetricKey, '--plaintext', 'before rotation'])).out.trim();
      const rotated = await json(['rotate', otherSymmetricKey]);
      expect(rotated.currentVersion).toBe(2);
      const oldOne = await succeeds(['decrypt', '--ciphertext', before]);
      expect(oldOne.out).toBe('before rotation');
      expect((await t.call('POST', `/v1/keys/${otherSymmetricKey}/encrypt`, { plaintext: 'aGk=' })).body.keyVersion).toBe(2);
    });
  });

  describe('latchkey aliases', () => {
    it('creates, uses, lists, moves and deletes an alias', async () => {
      const created = await json(['aliases', 'create', 'alias/cli-e2e', symmetricKey]);
      expect(created).toMatchObject({ aliasName: 'alias/cli-e2e', targetKeyId: symmetricKey });
      const [viaAlias, listed] = await Promise.all([
        json(['encrypt', 'alias/cli-e2e', '--plaintext', 'named by alias', '--json']),
        json(['aliases', 'list', '--key-id', symmetricKey]),
      ]);
      expect(viaAlias.keyId).toBe(symmetricKey);
      expect(listed).toEqual([expect.objectContaining({ aliasName: 'alias/cli-e2e' })]);

      expect(await json(['aliases', 'update', 'alias/cli-e2e', otherSymmetricKey])).toMatchObject({ targetKeyId: otherSymmetricKey });
      expect((await t.call('GET', '/v1/keys/alias%2Fcli-e2e')).body.keyMetadata.keyId).toBe(otherSymmetricKey);

      const deleted = await succeeds(['aliases', 'delete', 'alias/cli-e2e']);
      expect(deleted.out).toBe('');
      expect((await t.call('GET', '/v1/keys/alias%2Fcli-e2e')).body.code).toBe('NotFoundException');
    });
  });

  describe('latchkey tokens', () => {
    it('issues a token that works, lists tokens without their secret, and revokes it', async () => {
      const issued = await json(['tokens', 'create', 'cli-e2e-app']);
      expect(issued).toMatchObject({ principal: 'cli-e2e-app', admin: false, token: expect.stringMatching(/^lk_/) });

      const [asApp, denied, listedResult] = await Promise.all([
        succeeds(['encrypt', symmetricKey, '--plaintext', 'from the app'], { token: issued.token }),
        latchkey(['tokens', 'list'], { token: issued.token }),
        succeeds(['tokens', 'list']),
      ]);
      const opened = await t.call('POST', '/v1/decrypt', { ciphertext: asApp.out.trim() });
      expect(Buffer.from(opened.body.plaintext, 'base64').toString()).toBe('from the app');
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/^error AccessDeniedException: /);

      expect(listedResult.out).not.toContain(issued.token);
      expect(JSON.parse(listedResult.out)).toEqual(expect.arrayContaining([expect.objectContaining({ tokenId: issued.tokenId, principal: 'cli-e2e-app' })]));

      expect((await succeeds(['tokens', 'revoke', issued.tokenId])).out).toBe('');
      const revoked = await t.call('GET', '/v1/whoami', undefined, { token: issued.token });
      expect(revoked.body.code).toBe('UnrecognizedClientException');
    });
  });
});
