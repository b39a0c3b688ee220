/**
 * Proves the durability promise: a commit that resolved survives kill -9 of the process. A child
 * process commits batches to a LevelDB folder and prints each acknowledged commit id; the parent
 * SIGKILLs it mid-stream, reopens the folder and finds every acknowledged commit whole, and no
 * torn batch (a key without its material or alias). Three rounds on one folder, so recovery of a
 * killed folder is itself killed and recovered. While the child runs, a second open of its folder
 * must fail at once with a lock error.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KeyStore } from './key-store.ts';
import { createLevelKeyStore } from './level-key-store.ts';
import { sampleCommit, sampleCommitKeyId } from './sample-records.ts';

const WRITER = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url));
const ROUNDS = 3;
const ACKS_PER_ROUND = 400;

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'latchkey-crash-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `acks` commits, kills it, and returns every id it acknowledged. */
async function writeUntilKilled(path: string, first: number, acks: number, whileOpen: () => Promise<void>): Promise<number[]> {
  const child = spawn(process.execPath, [WRITER, path, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = once(child, 'close');
  const acked: number[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'open') await whileOpen();
    else if (/^\d+$/.test(line)) acked.push(Number(line));
    if (acked.length === acks) child.kill('SIGKILL');
  }
  const [, signal] = await closed;
  expect(signal, `writer ended without being killed; stderr: ${stderr}`).toBe('SIGKILL');
  return acked;
}

async function expectLocked(path: string): Promise<void> {
  await expect(createLevelKeyStore({ path }).open()).rejects.toMatchObject({
    code: 'DependencyTimeoutException', message: expect.stringContaining('locked'),
  });
}

/** Material as comparable text: vitest's deep equality walks big byte arrays one element at a time. */
function fingerprint(material: readonly { keyId: string; keyVersion: number; wrapped: Uint8Array }[]): string[] {
  return material.map((m) => `${m.keyId}/${m.keyVersion}/${Buffer.from(m.wrapped).toString('base64')}`);
}

async function expectCommitWhole(store: KeyStore, commitId: number): Promise<void> {
  const expected = sampleCommit(commitId);
  const keyId = sampleCommitKeyId(commitId);
  expect(await store.getKey(keyId), `key of commit ${commitId}`).toEqual(expected.putKeys[0]);
  expect(fingerprint(await store.listMaterial(keyId)), `material of commit ${commitId}`).toEqual(fingerprint(expected.putMaterial));
  expect(await store.getAlias(`alias/${keyId}`), `alias of commit ${commitId}`).toEqual(expected.putAliases[0]);
}

it('keeps every acknowledged commit, whole, across kill -9', async () => {
  const path = join(folder, 'db');
  let next = 1;
  for (let round = 0; round < ROUNDS; round++) {
    const acked = await writeUntilKilled(path, next, ACKS_PER_ROUND, () => expectLocked(path));
    expect(acked.length).toBeGreaterThanOrEqual(ACKS_PER_ROUND);
    const lastAcked = acked.at(-1) ?? 0;
    const store = createLevelKeyStore({ path });
    await store.open();
    // Every key present must be whole (no torn batch), and every acknowledged commit present.
    const present = new Set<number>();
    for await (const record of store.allKeys()) {
      const commitId = Number(record.keyId.slice('crash-'.length));
      await expectCommitWhole(store, commitId);
      present.add(commitId);
    }
    expect(acked.filter((commitId) => !present.has(commitId))).toEqual([]);
    // Commits run one at a time, so at most the one in flight at the kill may have landed unacknowledged.
    const lastCommit = (await store.getMeta<number>('lastCommit')) ?? 0;
    expect([lastAcked, lastAcked + 1]).toContain(lastCommit);
    expect(present.size).toBe(lastCommit);
    await store.close();
    next = lastCommit + 1;
  }
});
