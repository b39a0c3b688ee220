/**
 * Rough throughput of both stores, for planning (not a timed test): sequential synced commits
 * (each one fdatasync), concurrent commits (LevelDB groups them into fewer syncs), point reads and
 * a full key scan. Run: pnpm exec node packages/storage/src/store-bench.ts [count]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyStore } from './key-store.ts';
import { createLevelKeyStore } from './level-key-store.ts';
import { createMemoryKeyStore } from './memory-key-store.ts';
import { sampleKey, sampleMaterial } from './sample-records.ts';

const count = Number(process.argv[2] ?? 2000);

async function ratePerSecond(run: () => Promise<number>): Promise<number> {
  const startMs = performance.now();
  const done = await run();
  return Math.round(done / ((performance.now() - startMs) / 1000));
}

function createBatch(prefix: string, i: number) {
  const keyId = `${prefix}${i}`;
  return { putKeys: [sampleKey(keyId)], putMaterial: [sampleMaterial(keyId, 1)], putMeta: { cursor: i } };
}

async function measure(name: string, store: KeyStore): Promise<void> {
  await store.open();
  const sequential = await ratePerSecond(async () => {
    for (let i = 0; i < count; i++) await store.commit(createBatch('s', i));
    return count;
  });
  const concurrent = await ratePerSecond(async () => {
    await Promise.all(Array.from({ length: count }, (_, i) => store.commit(createBatch('c', i))));
    return count;
  });
  const reads = await ratePerSecond(async () => {
    for (let i = 0; i < count; i++) await store.getKey(`s${i}`);
    return count;
  });
  const scan = await ratePerSecond(async () => {
    let seen = 0;
    for await (const _record of store.allKeys()) seen++;
    return seen;
  });
  await store.close();
  process.stdout.write(`${name}: ${sequential} sequential commits/s, ${concurrent} concurrent commits/s, ` +
    `${reads} getKey/s, ${scan} keys/s scanned (${count} of each)\n`);
}

const folder = await mkdtemp(join(tmpdir(), 'latchkey-store-bench-'));
try {
  await measure('LevelDB', createLevelKeyStore({ path: join(folder, 'db') }));
  await measure('memory ', createMemoryKeyStore());
} finally {
  await rm(folder, { recursive: true, force: true });
}
