/**
 * SDK envelope encryption throughput with a warm data-key cache, against raw in-process AES-256-GCM
 * on the same bytes in the same process. The two loops alternate in short slices (raw, envelope,
 * envelope, raw, ...), so that a noisy machine slows both alike; each round's ratio is taken from
 * its own slices and the summary is the median over rounds.
 *
 * Raw: one createCipheriv per message with a KeyObject, a fresh 12-byte IV cut from a random pool,
 * a 16-byte tag, output = IV | ciphertext | tag (as bench/aes-inprocess.ts does for 32 bytes).
 * Envelope: LatchkeyClient.encryptEnvelope with default cache limits, so the data key is renewed
 * through the real service every 10 000 messages, as an application would see it.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, randomFillSync } from 'node:crypto';
import type { LatchkeyClient } from '@latchkey/client';

export interface ThroughputResult {
  readonly messageBytes: number;
  readonly rawEncryptMiBs: number;
  readonly envelopeEncryptMiBs: number;
  readonly encryptRatio: number;
  readonly rawDecryptMiBs: number;
  readonly envelopeDecryptMiBs: number;
  readonly decryptRatio: number;
  readonly roundRatios: readonly number[];
  readonly serviceCalls: number;
}

const pool = Buffer.alloc(4096);
let poolUsed = pool.length;
function iv(): Buffer {
  if (poolUsed + 12 > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const out = Buffer.from(pool.subarray(poolUsed, poolUsed + 12));
  poolUsed += 12;
  return out;
}

const key = createSecretKey(randomBytes(32));

function rawEncrypt(plaintext: Buffer): Buffer {
  const nonce = iv();
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function rawDecrypt(sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12), { authTagLength: 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const out = decipher.update(sealed.subarray(12, sealed.length - 16));
  decipher.final();
  return out;
}

/** Bytes per second of `op` over a slice of `ms`, in batches of 50 operations. */
async function slice(ms: number, bytes: number, op: () => unknown): Promise<number> {
  const started = performance.now();
  let count = 0;
  let now = started;
  while (now - started < ms) {
    for (let i = 0; i < 50; i++) await op();
    count += 50;
    now = performance.now();
  }
  return (count * bytes) / ((now - started) / 1000);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const mib = (bytesPerSecond: number) => bytesPerSecond / 2 ** 20;

export async function measureThroughput(
  client: LatchkeyClient, keyId: string, messageBytes: number, options: { rounds: number; sliceMs: number },
): Promise<ThroughputResult> {
  const plaintext = randomBytes(messageBytes);
  const context = { tenant: 'bench', purpose: 'throughput' };
  const callsBefore = client.counters.callsOf('GenerateDataKey') + client.counters.callsOf('Decrypt');
  const sealedRaw = rawEncrypt(plaintext);
  const sealed = await client.encryptEnvelope(keyId, plaintext, { encryptionContext: context });
  await client.decryptEnvelope(sealed);
  const ops = {
    rawEncrypt: () => rawEncrypt(plaintext),
    envelopeEncrypt: () => client.encryptEnvelope(keyId, plaintext, { encryptionContext: context }),
    rawDecrypt: () => rawDecrypt(sealedRaw),
    envelopeDecrypt: () => client.decryptEnvelope(sealed),
  };
  // Warm-up: JIT for both paths before anything is recorded.
  for (const op of Object.values(ops)) await slice(Math.min(300, options.sliceMs), messageBytes, op);
  const rounds: Record<keyof typeof ops, number>[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = (round % 2 === 0 ? ['rawEncrypt', 'envelopeEncrypt', 'envelopeDecrypt', 'rawDecrypt'] : ['envelopeEncrypt', 'rawEncrypt', 'rawDecrypt', 'envelopeDecrypt']) as (keyof typeof ops)[];
    const rates = {} as Record<keyof typeof ops, number>;
    for (const name of order) rates[name] = await slice(options.sliceMs, messageBytes, ops[name]);
    rounds.push(rates);
  }
  const roundRatios = rounds.map((r) => r.envelopeEncrypt / r.rawEncrypt);
  return {
    messageBytes,
    rawEncryptMiBs: mib(median(rounds.map((r) => r.rawEncrypt))),
    envelopeEncryptMiBs: mib(median(rounds.map((r) => r.envelopeEncrypt))),
    encryptRatio: median(roundRatios),
    rawDecryptMiBs: mib(median(rounds.map((r) => r.rawDecrypt))),
    envelopeDecryptMiBs: mib(median(rounds.map((r) => r.envelopeDecrypt))),
    decryptRatio: median(rounds.map((r) => r.envelopeDecrypt / r.rawDecrypt)),
    roundRatios,
    serviceCalls: client.counters.callsOf('GenerateDataKey') + client.counters.callsOf('Decrypt') - callsBefore,
  };
}
