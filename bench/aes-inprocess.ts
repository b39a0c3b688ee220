/**
 * In-process AES-256-GCM rate on one core, the yardstick of the batch target: a 32-byte plaintext,
 * synchronous createCipheriv with a KeyObject, a fresh 12-byte IV per message (cut from a random
 * pool, as the node does), a 16-byte tag. Also the same loop for decryption, and the node's own
 * `encryptSymmetric` (ciphertext header and encryption-context AAD included) for comparison.
 *
 *   node bench/aes-inprocess.ts <milliseconds per measurement>   → one JSON line on stdout
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, randomFillSync, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encryptSymmetric, loadKey } from '../packages/crypto/src/index.ts';

export interface AesResult {
  readonly encryptOpsPerSec: number;
  readonly decryptOpsPerSec: number;
  readonly latchkeyEncryptSymmetricOpsPerSec: number;
  /** The same three, per second of this process's CPU time: steadier than wall-clock rates when other work shares the core. */
  readonly encryptOpsPerCpuSec?: number;
  readonly decryptOpsPerCpuSec?: number;
  readonly latchkeyEncryptSymmetricOpsPerCpuSec?: number;
}

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function iv(): Buffer {
  if (poolOffset + 12 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.alloc(12);
  pool.copy(out, 0, poolOffset, poolOffset + 12);
  poolOffset += 12;
  return out;
}

/** Ops per wall-clock second and per CPU second of `op`, run in slices of 1000 until `ms` has passed. */
function rates(ms: number, op: () => unknown): { wall: number; cpu: number } {
  const before = process.cpuUsage();
  const wall = rate(ms, op, 0);
  const used = process.cpuUsage(before);
  return { wall, cpu: lastOps / ((used.user + used.system) / 1e6) };
}
let lastOps = 0;

/** Ops per second of `op`, run in slices of 1000 until `ms` has passed; the result is kept alive. */
function rate(ms: number, op: () => unknown, warm = 5000): number {
  let sink = 0;
  for (let i = 0; i < warm; i += 1) sink ^= (op() as Buffer).length; // warm-up (JIT)
  const started = performance.now();
  let ops = 0;
  let now = started;
  while (now - started < ms) {
    for (let i = 0; i < 1000; i += 1) sink ^= (op() as Buffer).length;
    ops += 1000;
    now = performance.now();
  }
  if (sink === -1) process.stdout.write('');
  lastOps = ops;
  return ops / ((now - started) / 1000);
}

export function measureAes(ms: number): AesResult {
  const key: KeyObject = createSecretKey(randomBytes(32));
  const plaintext = randomBytes(32);
  const encryptOnce = () => {
    const nonce = iv();
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    const body = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  };
  const sample = encryptOnce();
  const decryptOnce = () => {
    const decipher = createDecipheriv('aes-256-gcm', key, sample.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(sample.subarray(44, 60));
    const out = decipher.update(sample.subarray(12, 44));
    decipher.final();
    return out;
  };
  const loaded = loadKey('SYMMETRIC_DEFAULT', randomBytes(32));
  const keyId = '0b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b';
  const latchkeyOnce = () => encryptSymmetric(loaded, keyId, 1, plaintext, {}) as Buffer;
  for (const op of [encryptOnce, decryptOnce, latchkeyOnce]) rate(50, op); // warm-up (JIT)
  const encrypt = rates(ms, encryptOnce);
  const decrypt = rates(ms, decryptOnce);
  const latchkey = rates(ms, latchkeyOnce);
  return {
    encryptOpsPerSec: encrypt.wall, decryptOpsPerSec: decrypt.wall, latchkeyEncryptSymmetricOpsPerSec: latchkey.wall,
    encryptOpsPerCpuSec: encrypt.cpu, decryptOpsPerCpuSec: decrypt.cpu, latchkeyEncryptSymmetricOpsPerCpuSec: latchkey.cpu,
  };
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(measureAes(Number(process.argv[2] ?? '3000')))}\n`);
}
