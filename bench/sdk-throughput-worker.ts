/**
 * One side of the throughput comparison, in its own process (forked by bench/sdk-throughput.ts):
 * `raw` encrypts and decrypts with in-process AES-256-GCM, `envelope` with a LatchkeyClient and a
 * warm data-key cache against the cluster. Each side has its own heap, as an application doing only
 * that would: measured in one process, the two contaminate each other's garbage collection.
 *
 * Raw: one createCipheriv per message with a KeyObject, a fresh 12-byte IV cut from a random pool,
 * a 16-byte tag, output = IV | ciphertext | tag (as bench/aes-inprocess.ts does for 32 bytes).
 * Envelope: encryptEnvelope / decryptEnvelope with default cache limits, so the data key is renewed
 * through the real service every 10 000 messages, as an application would see it.
 *
 * Protocol (IPC): { setup: { mode, messageBytes, regions?, token?, keyId? } } -> { ready: true };
 * { run: { kind: 'encrypt' | 'decrypt', ms } } -> { messages, wallMs, cpuUs, serviceCalls }.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, randomFillSync } from 'node:crypto';
import { LatchkeyClient } from '@latchkey/client';

export interface Setup {
  readonly mode: 'raw' | 'envelope';
  readonly messageBytes: number;
  readonly regions?: { name: string; url: string }[];
  readonly token?: string;
  readonly keyId?: string;
}

export interface SliceResult {
  readonly messages: number;
  readonly wallMs: number;
  readonly cpuUs: number;
  readonly serviceCalls: number;
}

type Op = () => unknown;

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

function rawOps(plaintext: Buffer): { encrypt: Op; decrypt: Op } {
  const key = createSecretKey(randomBytes(32));
  const encrypt = () => {
    const nonce = iv();
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    const body = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  };
  const sealed = encrypt();
  const decrypt = () => {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const out = decipher.update(sealed.subarray(12, sealed.length - 16));
    decipher.final();
    return out;
  };
  return { encrypt, decrypt };
}

async function envelopeOps(plaintext: Buffer, setup: Setup): Promise<{ encrypt: Op; decrypt: Op; client: LatchkeyClient }> {
  const client = new LatchkeyClient({ regions: setup.regions ?? [], homeRegion: 'eu', token: setup.token ?? '' });
  const keyId = setup.keyId ?? '';
  const encryptionContext = { tenant: 'bench', purpose: 'throughput' };
  const sealed = await client.encryptEnvelope(keyId, plaintext, { encryptionContext });
  await client.decryptEnvelope(sealed);
  return {
    client,
    encrypt: () => client.encryptEnvelope(keyId, plaintext, { encryptionContext }),
    decrypt: () => client.decryptEnvelope(sealed),
  };
}

let ops: { encrypt: Op; decrypt: Op; client?: LatchkeyClient } | null = null;
/** The raw side holds an idle client too, so that both heaps are alike (heap size sets the cost of each collection). */
let idleClient: LatchkeyClient | null = null;

async function slice(op: Op, ms: number, client: LatchkeyClient | undefined): Promise<SliceResult> {
  const callsOf = () => (client === undefined ? 0 : client.counters.callsOf('GenerateDataKey') + client.counters.callsOf('Decrypt'));
  const callsBefore = callsOf();
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  let messages = 0;
  let now = started;
  while (now - started < ms) {
    for (let i = 0; i < 4; i++) await op();
    messages += 4;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpuStarted);
  return { messages, wallMs: now - started, cpuUs: cpu.user + cpu.system, serviceCalls: callsOf() - callsBefore };
}

process.on('message', (message: { setup?: Setup; run?: { kind: 'encrypt' | 'decrypt'; ms: number } }) => {
  void (async () => {
    if (message.setup !== undefined) {
      const plaintext = randomBytes(message.setup.messageBytes);
      if (message.setup.mode === 'raw' && message.setup.regions !== undefined) idleClient = new LatchkeyClient({ regions: message.setup.regions, homeRegion: 'eu', token: message.setup.token ?? 't' });
      ops = message.setup.mode === 'raw' ? rawOps(plaintext) : await envelopeOps(plaintext, message.setup);
      process.send?.({ ready: true });
    } else if (message.run !== undefined && ops !== null) {
      process.send?.(await slice(ops[message.run.kind], message.run.ms, ops.client));
    }
  })().catch((error: unknown) => {
    process.send?.({ error: String(error) });
  });
});
process.on('disconnect', () => process.exit(0));
