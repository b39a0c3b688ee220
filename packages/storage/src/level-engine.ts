/**
 * The LevelDB engine (classic-level through `level`): utf8 keys, MessagePack values, every write
 * one atomic batch with sync: true, so LevelDB fsyncs its log before the commit resolves. Level's
 * own errors are translated at this edge: a locked or closed database is "unavailable", a
 * corruption report is internal; nothing else above this file knows level exists.
 */
import { Level } from 'level';
import { LatchkeyError } from '@latchkey/core';
import type { KeyRange } from './key-layout.ts';
import type { KvEngine, KvOp } from './kv-engine.ts';
import { decodeValue, encodeValue } from './msgpack-codec.ts';
import { corrupt, unavailable } from './storage-errors.ts';

const UNAVAILABLE_CODES = new Set([
  'LEVEL_DATABASE_NOT_OPEN', 'LEVEL_DATABASE_NOT_CLOSED', 'LEVEL_ITERATOR_NOT_OPEN', 'LEVEL_IO_ERROR', 'LEVEL_LOCKED',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function translate(error: unknown, path: string, operation: string): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const codes = [codeOf(error), codeOf(cause)];
  if (codes.includes('LEVEL_LOCKED')) {
    return unavailable(
      `LevelDB folder ${path} is locked (LOCK held): another process or handle has it open, and a data folder has one owner`,
      error,
    );
  }
  if (codes.includes('LEVEL_CORRUPTION')) return corrupt(`LevelDB reports corruption in ${path} during ${operation}`, error);
  if (codes.some((code) => code !== undefined && UNAVAILABLE_CODES.has(code))) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return unavailable(`${operation} on ${path} failed (${codes[0] ?? 'error'}${detail})`, error);
  }
  return new LatchkeyError('KMSInternalException', `key store ${operation} on ${path} failed`, { cause: error });
}

function toLevelOp(op: KvOp) {
  return op.type === 'put'
    ? { type: 'put' as const, key: op.key, value: encodeValue(op.value) }
    : { type: 'del' as const, key: op.key };
}

export function createLevelEngine(path: string): KvEngine {
  const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
  // Wraps one level call so that its failures leave this file as LatchkeyErrors.
  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translate(error, path, operation);
    }
  }
  return {
    open: () => guarded('open', () => db.open()),
    close: () => guarded('close', () => db.close()),
    async write(ops) {
      const levelOps = ops.map(toLevelOp);
      await guarded('commit', () => db.batch(levelOps, { sync: true }));
    },
    async get(key) {
      const bytes = await guarded('get', () => db.get(key));
      return bytes === undefined ? undefined : decodeValue(bytes, key);
    },
    entries: (range) => levelEntries(db, range, (error) => translate(error, path, 'scan')),
  };
}

async function* levelEntries(
  db: Level<string, Uint8Array>,
  range: KeyRange,
  fail: (error: unknown) => LatchkeyError,
): AsyncGenerator<readonly [string, unknown]> {
  try {
    for await (const [key, bytes] of db.iterator(range)) yield [key, decodeValue(bytes, key)] as const;
  } catch (error) {
    throw fail(error);
  }
}
