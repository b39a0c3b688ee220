// Proves invariant 2, "nothing secret at rest or in logs", against a real node process started as
// an operator would (env only, debug logging, stdout and stderr captured). After a workload over
// every kind of key (AES, HMAC, RSA, ECDSA, ECDH, Ed25519, ML-DSA), rotations, encryption, data
// keys, tokens, signatures, MACs and refused requests, the node is stopped; the test unwraps every
// stored version with the root key file (and shows each unwrapped secret is the real key by using
// it), then scans every file of the data folder, every record of the store and the whole log output
// for those secrets, the plaintexts, the data keys and the bearer tokens, in raw, hex and base64
// form, whole and in pieces. Planted leaks in scratch copies show that the scan would catch one.
import {
  createDecipheriv, createHmac, createPrivateKey, createPublicKey, constants as cryptoConstants, generateKeyPairSync,
  privateDecrypt, randomBytes,
} from 'node:crypto';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCiphertext, encodeEncryptionContext, materialAad, type KeySpec, type KeyUsage } from '@latchkey/core';
import { rootKeyFromBytes } from '../packages/crypto/src/index.ts';
import { createLevelKeyStore } from '../packages/storage/src/index.ts';
import { createLevelEngine } from '../packages/storage/src/level-engine.ts';
import { tempDir, type TempDir } from '../packages/testkit/src/index.ts';
import {
  LeakScanner, encodingsOf, flattenValue, secretNeedles, textNeedles, type Finding, type Needle,
} from './support/leak-scanner.ts';
import { callJson, killAllNodeProcesses, startNodeProcess, type NodeProcess } from './support/node-process.ts';

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64');
const canary = (what: string) => `canary-${what}-${randomBytes(12).toString('hex')}`;

interface KeyPlan { readonly name: string; readonly keySpec: KeySpec; readonly keyUsage: KeyUsage }
const KEY_PLANS: readonly KeyPlan[] = [
  { name: 'aes-a', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
  { name: 'aes-b', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
  { name: 'hmac-224', keySpec: 'HMAC_224', keyUsage: 'GENERATE_VERIFY_MAC' },
  { name: 'hmac-512', keySpec: 'HMAC_512', keyUsage: 'GENERATE_VERIFY_MAC' },
  { name: 'rsa-encrypt', keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' },
  { name: 'rsa-sign', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
  { name: 'p256-sign', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
  { name: 'p384-sign', keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' },
  { name: 'k256-agree', keySpec: 'ECC_SECG_P256K1', keyUsage: 'KEY_AGREEMENT' },
  { name: 'ed25519', keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY' },
  { name: 'ml-dsa-44', keySpec: 'ML_DSA_44', keyUsage: 'SIGN_VERIFY' },
  { name: 'ml-dsa-65', keySpec: 'ML_DSA_65', keyUsage: 'SIGN_VERIFY' },
];
const SIGNING: Partial<Record<string, string>> = {
  'rsa-sign': 'RSASSA_PSS_SHA_256', 'p256-sign': 'ECDSA_SHA_256', 'p384-sign': 'ECDSA_SHA_384',
  ed25519: 'ED25519_SHA_512', 'ml-dsa-44': 'ML_DSA_SHAKE_256', 'ml-dsa-65': 'ML_DSA_SHAKE_256',
};
const ROTATIONS_PER_AES_KEY = 2;

/** What the workload learned: the things that must never appear, and the evidence to prove them real. */
interface Workload {
  readonly keyIds: Map<string, string>;
  readonly specOf: Map<string, KeySpec>;
  readonly plaintexts: string[];
  readonly symmetricCiphertexts: { keyId: string; keyVersion: number; ciphertext: Buffer; plaintext: string; context: Record<string, string> }[];
  readonly rsaCiphertext: { keyId: string; ciphertext: Buffer; plaintext: string };
  readonly macs: { keyId: string; algorithm: string; message: Buffer; mac: Buffer }[];
  readonly publicKeys: Map<string, Buffer>;
  readonly otherSecrets: { label: string; secret: Buffer; publicPart?: Buffer }[];
  readonly tokens: { label: string; token: string }[];
  readonly expectedVersions: number;
}

interface Unwrapped { readonly keyId: string; readonly keySpec: KeySpec; readonly keyVersion: number; readonly secret: Buffer; readonly publicKey: Buffer | null }

let dir: TempDir;
let dataDir: string;
let pristineDir: string;
let node: NodeProcess;
let work: Workload;
let logOutput: Buffer;
let rootKeyBytes: Buffer;
let unwrapped: Unwrapped[];
let storeDump: Buffer;

async function ok(method: string, route: string, body?: unknown, token: string = node.token): Promise<any> {
  const answer = await callJson(node.url, token, method, route, body);
  if (answer.status >= 300) throw new Error(`${method} ${route} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function refused(method: string, route: string, init: { body?: string; token?: string; contentType?: string }): Promise<number> {
  const response = await fetch(node.url + route, {
    method,
    headers: { authorization: `Bearer ${init.token ?? node.token}`, 'content-type': init.contentType ?? 'application/json' },
    ...(init.body !== undefined ? { body: init.body } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  expect(response.status, `${method} ${route} should be refused`).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  return response.status;
}

async function runWorkload(): Promise<Workload> {
  const w: Workload = {
    keyIds: new Map(), specOf: new Map(), plaintexts: [], symmetricCiphertexts: [], macs: [], publicKeys: new Map(),
    otherSecrets: [], tokens: [{ label: 'admin token', token: node.token }], expectedVersions: 0,
    rsaCiphertext: { keyId: '', ciphertext: Buffer.alloc(0), plaintext: '' },
  };
  for (const plan of KEY_PLANS) {
    const { keyMetadata } = await ok('POST', '/v1/keys', { keySpec: plan.keySpec, keyUsage: plan.keyUsage, description: `secrets-at-rest ${plan.name}` });
    w.keyIds.set(plan.name, keyMetadata.keyId);
    w.specOf.set(keyMetadata.keyId, plan.keySpec);
  }
  const id = (name: string) => w.keyIds.get(name) as string;
  const app = await ok('POST', '/v1/tokens', { principal: 'secrets-at-rest-app' });
  w.tokens.push({ label: 'app token', token: app.token });

  // Symmetric keys: encrypt under every version, decrypt (the answer carries plaintext), re-encrypt.
  for (const name of ['aes-a', 'aes-b']) {
    for (let version = 1; version <= ROTATIONS_PER_AES_KEY + 1; version++) {
      if (version > 1) expect((await ok('POST', `/v1/keys/${id(name)}/rotate`, {})).keyMetadata.currentVersion).toBe(version);
      for (const context of [{}, { tenant: `t-${version}`, purpose: 'secrets-at-rest' }] as Record<string, string>[]) {
        const plaintext = canary(`plaintext-${name}-v${version}`);
        w.plaintexts.push(plaintext);
        const out = await ok('POST', `/v1/keys/${id(name)}/encrypt`, { plaintext: b64(plaintext), encryptionContext: context }, app.token);
        expect(out.keyVersion).toBe(version);
        w.symmetricCiphertexts.push({ keyId: id(name), keyVersion: version, ciphertext: unb64(out.ciphertext), plaintext, context });
        const back = await ok('POST', '/v1/decrypt', { ciphertext: out.ciphertext, encryptionContext: context }, app.token);
        expect(unb64(back.plaintext).toString()).toBe(plaintext);
      }
    }
  }
  const moved = w.symmetricCiphertexts[0]!;
  await ok('POST', '/v1/re-encrypt', { ciphertext: b64(moved.ciphertext), destinationKeyId: id('aes-b'), destinationEncryptionContext: { moved: 'yes' } });
  const batchPlaintext = canary('plaintext-batch');
  w.plaintexts.push(batchPlaintext);
  await ok('POST', '/v1/batch/encrypt', { items: [{ keyId: id('aes-a'), plaintext: b64(batchPlaintext) }] }, app.token);

  // Data keys, a data key pair and random bytes: secrets the node hands out and must not keep.
  for (const spec of [{ keySpec: 'AES_256' }, { keySpec: 'AES_128' }, { numberOfBytes: 64 }]) {
    const out = await ok('POST', `/v1/keys/${id('aes-a')}/generate-data-key`, spec, app.token);
    w.otherSecrets.push({ label: `data key ${JSON.stringify(spec)}`, secret: unb64(out.plaintext) });
  }
  const pair = await ok('POST', `/v1/keys/${id('aes-b')}/generate-data-key-pair`, { keyPairSpec: 'ECC_NIST_P256' }, app.token);
  w.otherSecrets.push({ label: 'data key pair private key', secret: unb64(pair.privateKeyPlaintext), publicPart: unb64(pair.publicKey) });
  const random = await ok('POST', '/v1/random', { numberOfBytes: 32 }, app.token);
  w.otherSecrets.push({ label: 'random bytes', secret: unb64(random.plaintext) });

  // RSA-OAEP encryption.
  const rsaPlaintext = canary('plaintext-rsa');
  w.plaintexts.push(rsaPlaintext);
  const rsa = await ok('POST', `/v1/keys/${id('rsa-encrypt')}/encrypt`, { plaintext: b64(rsaPlaintext), encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }, app.token);
  w.rsaCiphertext.keyId = id('rsa-encrypt');
  w.rsaCiphertext.ciphertext = unb64(rsa.ciphertext);
  w.rsaCiphertext.plaintext = rsaPlaintext;
  await ok('POST', `/v1/keys/${id('rsa-encrypt')}/decrypt`, { ciphertext: rsa.ciphertext, encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }, app.token);

  // MACs, signatures, key agreement, public keys.
  for (const [name, algorithm] of [['hmac-224', 'HMAC_SHA_224'], ['hmac-512', 'HMAC_SHA_512']] as const) {
    const message = Buffer.from(`mac message for ${name}`);
    const out = await ok('POST', `/v1/keys/${id(name)}/generate-mac`, { message: b64(message), macAlgorithm: algorithm }, app.token);
    w.macs.push({ keyId: id(name), algorithm, message, mac: unb64(out.mac) });
    await ok('POST', `/v1/keys/${id(name)}/verify-mac`, { message: b64(message), macAlgorithm: algorithm, mac: out.mac }, app.token);
  }
  for (const [name, algorithm] of Object.entries(SIGNING)) {
    const message = b64(`signed by ${name}`);
    const { signature } = await ok('POST', `/v1/keys/${id(name)}/sign`, { message, signingAlgorithm: algorithm }, app.token);
    await ok('POST', `/v1/keys/${id(name)}/verify`, { message, signingAlgorithm: algorithm, signature }, app.token);
  }
  const peer = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const shared = await ok('POST', `/v1/keys/${id('k256-agree')}/derive-shared-secret`, {
    keyAgreementAlgorithm: 'ECDH', publicKey: b64(peer.publicKey.export({ format: 'der', type: 'spki' })),
  }, app.token);
  w.otherSecrets.push({ label: 'ECDH shared secret', secret: unb64(shared.sharedSecret) });
  for (const plan of KEY_PLANS.filter((p) => p.keySpec !== 'SYMMETRIC_DEFAULT' && !p.keySpec.startsWith('HMAC'))) {
    w.publicKeys.set(id(plan.name), unb64((await ok('GET', `/v1/keys/${id(plan.name)}/public-key`)).publicKey));
  }

  // Refused requests that carry secrets: none of them may echo what they carried.
  const refusedPlaintext = canary('plaintext-refused');
  w.plaintexts.push(refusedPlaintext);
  await refused('POST', `/v1/keys/${id('aes-a')}/encrypt`, { body: `{"plaintext":"${b64(refusedPlaintext)}",` });
  await refused('POST', `/v1/keys/${id('aes-a')}/encrypt`, { body: JSON.stringify({ plaintext: b64(refusedPlaintext), bogus: refusedPlaintext }) });
  await refused('POST', `/v1/keys/${id('aes-a')}/encrypt`, { body: JSON.stringify({ plaintext: refusedPlaintext }) });
  await refused('POST', `/v1/keys/${id('aes-a')}/encrypt`, { body: refusedPlaintext, contentType: 'text/plain' });
  await refused('POST', `/v1/keys/${id('hmac-224')}/encrypt`, { body: JSON.stringify({ plaintext: b64(refusedPlaintext) }) });
  await refused('POST', '/v1/decrypt', { body: JSON.stringify({ ciphertext: b64(moved.ciphertext), encryptionContext: { wrong: 'context' } }) });
  const rejectedToken = `lk_${randomBytes(32).toString('base64url')}`;
  w.tokens.push({ label: 'rejected bearer token', token: rejectedToken });
  await refused('POST', `/v1/keys/${id('aes-a')}/encrypt`, { body: JSON.stringify({ plaintext: b64(refusedPlaintext) }), token: rejectedToken });
  await refused('POST', '/v1/tokens', { body: JSON.stringify({ principal: 'x' }), token: app.token });

  return { ...w, expectedVersions: KEY_PLANS.length + 2 * ROTATIONS_PER_AES_KEY };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** Every file of a data folder except the two that hold secrets by design. */
async function dataFiles(root: string): Promise<string[]> {
  return (await filesUnder(root)).filter((file) => !['root.key', 'admin.token'].includes(path.basename(file)));
}

async function scanFiles(scanner: LeakScanner, root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of await dataFiles(root)) findings.push(...scanner.scan(path.relative(dir.path, file), await readFile(file)));
  return findings;
}

/** The private parts of an asymmetric key (RSA d/p/q..., EC and Ed25519 d, ML-DSA seed), each a secret of its own. */
function privateComponents(pkcs8: Buffer): [string, Buffer][] {
  const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as Record<string, unknown>;
  return ['d', 'p', 'q', 'dp', 'dq', 'qi', 'priv']
    .filter((name) => typeof jwk[name] === 'string')
    .map((name) => [name, Buffer.from(jwk[name] as string, 'base64url')]);
}

function secretsScanner(): LeakScanner {
  const needles: Needle[] = [];
  for (const version of unwrapped) {
    const label = `${version.keySpec} ${version.keyId} v${version.keyVersion}`;
    const publicParts = version.publicKey ? [version.publicKey] : [];
    needles.push(...secretNeedles(`${label} secret`, version.secret, { publicParts }));
    if (version.publicKey) {
      for (const [name, part] of privateComponents(version.secret)) needles.push(...secretNeedles(`${label} private ${name}`, part, { publicParts }));
    }
  }
  for (const plaintext of work.plaintexts) needles.push(...textNeedles(`plaintext ${plaintext}`, plaintext));
  for (const other of work.otherSecrets) needles.push(...secretNeedles(other.label, other.secret, { publicParts: other.publicPart ? [other.publicPart] : [] }));
  for (const { label, token } of work.tokens) {
    needles.push(...textNeedles(label, token), ...textNeedles(`${label} without prefix`, token.slice('lk_'.length)));
  }
  return new LeakScanner(needles);
}

const rootKeyScanner = () => new LeakScanner(secretNeedles('root key', rootKeyBytes));

beforeAll(async () => {
  dir = await tempDir('latchkey-secrets-');
  dataDir = path.join(dir.path, 'data');
  node = await startNodeProcess({ dataDir });
  work = await runWorkload();
  const exit = await node.stop();
  expect(exit, `node output:\n${node.output().toString()}`).toEqual({ code: 0, signal: null });
  logOutput = node.output();

  // Keep the folder exactly as the node left it: opening the store below makes LevelDB turn its
  // write-ahead log into a compressed table, and the raw scan must see the node's own bytes.
  pristineDir = path.join(dir.path, 'pristine');
  await cp(dataDir, pristineDir, { recursive: true });

  rootKeyBytes = await readFile(path.join(dataDir, 'root.key'));
  const rootKey = rootKeyFromBytes(rootKeyBytes);
  const store = createLevelKeyStore({ path: path.join(dataDir, 'store') });
  await store.open();
  unwrapped = [];
  try {
    for await (const record of store.allKeys()) {
      for (const material of await store.listMaterial(record.keyId)) {
        const secret = Buffer.from(rootKey.unwrap(material.wrapped, materialAad(record.keyId, material.keyVersion)));
        unwrapped.push({
          keyId: record.keyId, keySpec: record.keySpec, keyVersion: material.keyVersion, secret,
          publicKey: material.publicKey ? Buffer.from(material.publicKey) : null,
        });
      }
    }
  } finally {
    await store.close();
  }

  // A logical dump of every record (keys, material, aliases, tokens, meta): compressed tables
  // cannot hide a secret from this scan.
  const engine = createLevelEngine(path.join(dataDir, 'store'));
  await engine.open();
  const parts: Buffer[] = [];
  try {
    for await (const [key, value] of engine.entries({ gte: '', lt: '\u{10ffff}' })) parts.push(Buffer.from(key), ...flattenValue(value));
  } finally {
    await engine.close();
  }
  storeDump = Buffer.concat(parts.flatMap((part) => [part, Buffer.of(0)]));
}, 60_000);

afterAll(async () => {
  await killAllNodeProcesses();
  await dir?.cleanup();
});

describe('the secrets looked for are the real ones', () => {
  it('unwraps every acknowledged version with the root key file', () => {
    expect(unwrapped).toHaveLength(work.expectedVersions);
    for (const keyId of work.keyIds.values()) expect(unwrapped.some((u) => u.keyId === keyId)).toBe(true);
  });

  const secretOf = (keyId: string, keyVersion: number) => {
    const found = unwrapped.find((u) => u.keyId === keyId && u.keyVersion === keyVersion);
    if (!found) throw new Error(`no unwrapped material for ${keyId} v${keyVersion}`);
    return found.secret;
  };

  it('each AES version decrypts the ciphertexts the node made under it (AES-GCM done here, not by the product)', () => {
    expect(work.symmetricCiphertexts.length).toBeGreaterThanOrEqual(2 * (ROTATIONS_PER_AES_KEY + 1));
    for (const item of work.symmetricCiphertexts) {
      const parts = decodeCiphertext(item.ciphertext);
      expect(parts.keyVersion).toBe(item.keyVersion);
      const decipher = createDecipheriv('aes-256-gcm', secretOf(item.keyId, item.keyVersion), parts.iv);
      decipher.setAAD(Buffer.concat([parts.header, encodeEncryptionContext(item.context)]));
      decipher.setAuthTag(parts.tag);
      expect(Buffer.concat([decipher.update(parts.body), decipher.final()]).toString()).toBe(item.plaintext);
    }
  });

  it('each HMAC key reproduces the MAC the node returned', () => {
    const hashOf: Record<string, string> = { HMAC_SHA_224: 'sha224', HMAC_SHA_512: 'sha512' };
    for (const mac of work.macs) {
      expect(createHmac(hashOf[mac.algorithm]!, secretOf(mac.keyId, 1)).update(mac.message).digest().equals(mac.mac)).toBe(true);
    }
  });

  it('each asymmetric private key matches the public key the node publishes, and the RSA one decrypts', () => {
    for (const [keyId, published] of work.publicKeys) {
      const derived = createPublicKey(createPrivateKey({ key: secretOf(keyId, 1), format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
      expect(derived.equals(published), `public key of ${work.specOf.get(keyId)}`).toBe(true);
    }
    const { keyId, ciphertext, plaintext } = work.rsaCiphertext;
    const key = createPrivateKey({ key: secretOf(keyId, 1), format: 'der', type: 'pkcs8' });
    const opened = privateDecrypt({ key, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);
    expect(opened.toString()).toBe(plaintext);
  });
});

describe('nothing secret at rest or in the logs', () => {
  it('no secret, plaintext, data key or token in any file of the data folder as the node left it', async () => {
    const files = await dataFiles(pristineDir);
    expect(files.some((f) => f.includes(`${path.sep}store${path.sep}`))).toBe(true);
    expect(await scanFiles(secretsScanner(), pristineDir)).toEqual([]);
  });

  it('none in the folder after LevelDB recovered it into tables either', async () => {
    expect(await scanFiles(secretsScanner(), dataDir)).toEqual([]);
  });

  it('none in any record of the store, read back through LevelDB', () => {
    expect(storeDump.length).toBeGreaterThan(1000);
    expect(secretsScanner().scan('store records', storeDump)).toEqual([]);
  });

  it('none in the log output (stdout and stderr at debug level)', () => {
    const text = logOutput.toString('utf8');
    expect(text).toContain('region node serving');
    expect(text).toContain('request refused');
    expect(secretsScanner().scan('node output', logOutput)).toEqual([]);
  });

  it('the root key appears neither in the logs nor in any other file', async () => {
    const scanner = rootKeyScanner();
    expect(scanner.scan('node output', logOutput)).toEqual([]);
    expect(scanner.scan('store records', storeDump)).toEqual([]);
    expect(await scanFiles(scanner, pristineDir)).toEqual([]);
    expect(await scanFiles(scanner, dataDir)).toEqual([]);
  });
});

describe('the scan would catch a leak', () => {
  it('finds what is stored in the clear (public keys) in the raw files and the record dump', async () => {
    const [keyId, publicKey] = [...work.publicKeys][0]!;
    const scanner = new LeakScanner(encodingsOf(`public key of ${keyId}`, publicKey));
    expect(scanner.scan('store records', storeDump).length).toBeGreaterThan(0);
    expect((await scanFiles(scanner, pristineDir)).length).toBeGreaterThan(0);
  });

  it('reports secrets planted in scratch copies of a store file and of the logs, whole or in part', async () => {
    const scratch = path.join(dir.path, 'scratch');
    await mkdir(scratch, { recursive: true });
    const storeFile = (await dataFiles(pristineDir)).find((f) => f.endsWith('.log') && f.includes(`${path.sep}store${path.sep}`));
    expect(storeFile).toBeDefined();
    const original = await readFile(storeFile as string);
    const plant = async (name: string, base: Buffer, leak: Buffer | string) => {
      const middle = base.length >> 1;
      const file = path.join(scratch, name);
      await writeFile(file, Buffer.concat([base.subarray(0, middle), Buffer.from(leak), base.subarray(middle)]));
      return readFile(file);
    };
    const scanner = secretsScanner();
    const labels = (found: Finding[]) => found.map((f) => f.label).join('\n');

    const aes = unwrapped.find((u) => u.keySpec === 'SYMMETRIC_DEFAULT' && u.keyVersion === 2)!;
    expect(labels(scanner.scan('planted', await plant('aes-raw.log', original, aes.secret)))).toContain(`${aes.keyId} v2 secret (raw)`);

    const rsa = unwrapped.find((u) => u.keySpec === 'RSA_2048')!;
    const d = privateComponents(rsa.secret).find(([name]) => name === 'd')![1];
    const slice = d.subarray(50, 90); // 40 bytes from the middle of the private exponent
    // Found by a 16-byte window of d, or (when d's windows line up with the whole key's, which one
    // RSA key in ~16 does) by the same window of the whole key: either way under this key's name.
    expect(labels(scanner.scan('planted', await plant('rsa-slice.log', original, slice)))).toMatch(new RegExp(`${rsa.keyId} v\\d+ (private d|secret) \\[bytes`));

    const dataKey = work.otherSecrets[0]!;
    const logLine = `{"level":20,"msg":"debug","value":"${dataKey.secret.toString('base64')}"}\n`;
    expect(labels(scanner.scan('planted', await plant('data-key.txt', logOutput, logLine)))).toContain(`${dataKey.label} (base64)`);

    const mlDsa = unwrapped.find((u) => u.keySpec === 'ML_DSA_44')!;
    const seed = privateComponents(mlDsa.secret).find(([name]) => name === 'priv')![1];
    expect(labels(scanner.scan('planted', await plant('ml-dsa-seed.txt', logOutput, seed.toString('hex'))))).toContain('private priv (hex)');

    const appToken = work.tokens.find((t) => t.label === 'app token')!.token;
    expect(labels(scanner.scan('planted', await plant('token.txt', logOutput, `authorization: Bearer ${appToken}`)))).toContain('app token (raw)');

    const plaintext = work.plaintexts[3]!;
    expect(labels(scanner.scan('planted', await plant('plaintext.txt', logOutput, b64(plaintext))))).toContain('(base64)');

    const rootLeak = await plant('root.txt', logOutput, rootKeyBytes.toString('base64url'));
    // When the key's base64 has no + or /, base64url is the same text and reports as base64.
    expect(labels(rootKeyScanner().scan('planted', rootLeak))).toMatch(/root key \(base64(url)?\)/);
  });
});
