/**
 * SDK envelope encryption throughput with a warm data-key cache, against raw in-process AES-256-GCM
 * on messages of the same size. Each side runs in its own forked process (bench/sdk-throughput-worker.ts,
 * its own heap, the same modules and an idle client loaded in both so that the heaps are alike), and
 * the parent has them take turns in slices (raw, envelope, envelope, raw, ...),
 * so that whatever else the machine does falls on both alike. Each round's ratio is taken from its
 * own slices, in wall time and in each process's CPU time (which other processes cannot enter);
 * the summary is the median over rounds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SliceResult, Setup } from './sdk-throughput-worker.ts';

export interface ThroughputResult {
  readonly messageBytes: number;
  readonly rawEncryptMiBs: number;
  readonly envelopeEncryptMiBs: number;
  readonly encryptRatio: number;
  /** Envelope over raw in CPU time per message. */
  readonly encryptCpuRatio: number;
  readonly rawDecryptMiBs: number;
  readonly envelopeDecryptMiBs: number;
  readonly decryptRatio: number;
  readonly decryptCpuRatio: number;
  readonly roundRatios: readonly number[];
  /** GenerateDataKey and Decrypt calls the envelope side made while measured. */
  readonly serviceCalls: number;
  readonly envelopeMessages: number;
}

interface Worker {
  request(message: object): Promise<unknown>;
  stop(): void;
}

const WORKER = fileURLToPath(new URL('./sdk-throughput-worker.ts', import.meta.url));

function startWorker(): Worker {
  const child: ChildProcess = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    request: (message) => new Promise((resolve, reject) => {
      child.once('message', (answer: { error?: string }) => (answer.error === undefined ? resolve(answer) : reject(new Error(answer.error))));
      child.send(message);
    }),
    stop: () => child.kill(),
  };
}

interface Rates {
  readonly rawMiBs: number;
  readonly envelopeMiBs: number;
  readonly cpuRatio: number;
  readonly serviceCalls: number;
  readonly envelopeMessages: number;
}

const mibs = (slice: SliceResult, bytes: number) => (slice.messages * bytes) / (slice.wallMs / 1000) / 2 ** 20;
const cpuPerMessage = (slices: readonly SliceResult[]) => slices.reduce((n, s) => n + s.cpuUs, 0) / slices.reduce((n, s) => n + s.messages, 0);

/** Two slices each, in ABBA order. */
async function paired(raw: Worker, envelope: Worker, kind: 'encrypt' | 'decrypt', ms: number, bytes: number): Promise<Rates> {
  const run = (worker: Worker) => worker.request({ run: { kind, ms } }) as Promise<SliceResult>;
  const rawSlices = [await run(raw)];
  const envelopeSlices = [await run(envelope), await run(envelope)];
  rawSlices.push(await run(raw));
  const rate = (slices: SliceResult[]) => slices.reduce((n, s) => n + mibs(s, bytes), 0) / slices.length;
  return {
    rawMiBs: rate(rawSlices),
    envelopeMiBs: rate(envelopeSlices),
    cpuRatio: cpuPerMessage(rawSlices) / cpuPerMessage(envelopeSlices),
    serviceCalls: envelopeSlices.reduce((n, s) => n + s.serviceCalls, 0),
    envelopeMessages: envelopeSlices.reduce((n, s) => n + s.messages, 0),
  };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function measureThroughput(
  cluster: Omit<Setup, 'mode' | 'messageBytes'>, messageBytes: number, options: { rounds: number; sliceMs: number },
): Promise<ThroughputResult> {
  const raw = startWorker();
  const envelope = startWorker();
  try {
    await raw.request({ setup: { ...cluster, mode: 'raw', messageBytes } });
    await envelope.request({ setup: { ...cluster, mode: 'envelope', messageBytes } });
    // Warm-up: JIT on both sides before anything is recorded.
    await paired(raw, envelope, 'encrypt', 300, messageBytes);
    await paired(raw, envelope, 'decrypt', 300, messageBytes);
    const rounds: { encrypt: Rates; decrypt: Rates }[] = [];
    for (let round = 0; round < options.rounds; round++) {
      rounds.push({
        encrypt: await paired(raw, envelope, 'encrypt', options.sliceMs, messageBytes),
        decrypt: await paired(raw, envelope, 'decrypt', options.sliceMs, messageBytes),
      });
    }
    const roundRatios = rounds.map((r) => r.encrypt.envelopeMiBs / r.encrypt.rawMiBs);
    return {
      messageBytes,
      rawEncryptMiBs: median(rounds.map((r) => r.encrypt.rawMiBs)),
      envelopeEncryptMiBs: median(rounds.map((r) => r.encrypt.envelopeMiBs)),
      encryptRatio: median(roundRatios),
      encryptCpuRatio: median(rounds.map((r) => r.encrypt.cpuRatio)),
      rawDecryptMiBs: median(rounds.map((r) => r.decrypt.rawMiBs)),
      envelopeDecryptMiBs: median(rounds.map((r) => r.decrypt.envelopeMiBs)),
      decryptRatio: median(rounds.map((r) => r.decrypt.envelopeMiBs / r.decrypt.rawMiBs)),
      decryptCpuRatio: median(rounds.map((r) => r.decrypt.cpuRatio)),
      roundRatios,
      serviceCalls: rounds.reduce((n, r) => n + r.encrypt.serviceCalls + r.decrypt.serviceCalls, 0),
      envelopeMessages: rounds.reduce((n, r) => n + r.encrypt.envelopeMessages + r.decrypt.envelopeMessages, 0),
    };
  } finally {
    raw.stop();
    envelope.stop();
  }
}
