/**
 * The default root of trust: 32 random bytes in a file only the node's user may read. Losing this
 * file loses every key in the region, so it is created atomically and durably, and an existing file
 * that looks wrong is refused rather than replaced.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LatchkeyError } from '@latchkey/core';
import { ROOT_KEY_BYTES, rootKeyFromBytes, type RootKey } from './root-key.ts';

function refuse(path: string, why: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('KMSInternalException', `root key file ${path} ${why}`, { cause });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The file's 32 bytes, or null if there is no file. Checks run on the opened handle, so a swap between check and read cannot slip through. */
async function readRootKeyFile(path: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw refuse(path, `cannot be opened (${errorCode(error) ?? 'unknown error'})`, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refuse(path, 'is not a regular file');
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw refuse(path, `has mode ${mode}; group and others must have no access (chmod 600 ${path})`);
    }
    if (stat.size !== ROOT_KEY_BYTES) throw refuse(path, `is ${stat.size} bytes; a root key file is exactly ${ROOT_KEY_BYTES} bytes`);
    const bytes = Buffer.alloc(ROOT_KEY_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, ROOT_KEY_BYTES, 0);
    if (bytesRead !== ROOT_KEY_BYTES) throw refuse(path, 'changed size while being read');
    return bytes;
  } finally {
    await handle.close();
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync; elsewhere an un-synced directory entry could vanish
  // in a crash after keys were already wrapped under the new root key.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes new bytes to a temporary file (mode 0600, fsynced) and hard-links it into place. Unlike
 * rename, link never replaces an existing file, so two nodes starting at once cannot each create a
 * root key and silently overwrite the other's; the loser gets false and reads the winner's file.
 */
async function createRootKeyFile(path: string, bytes: Uint8Array): Promise<boolean> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    try {
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length, 0);
      if (bytesWritten !== bytes.length) throw refuse(temporary, 'could not be written in full');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, path);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  await fsyncDirectory(directory);
  return true;
}

/** Loads the region root key from `path`, creating it (32 random bytes, mode 0600) if there is none. */
export async function loadOrCreateRootKeyFile(path: string): Promise<{ rootKey: RootKey; created: boolean }> {
  const existing = await readRootKeyFile(path);
  if (existing !== null) return { rootKey: consume(existing), created: false };
  const fresh = randomBytes(ROOT_KEY_BYTES);
  let created: boolean;
  try {
    created = await createRootKeyFile(path, fresh);
  } catch (error) {
    fresh.fill(0);
    if (error instanceof LatchkeyError) throw error;
    throw refuse(path, `could not be created (${errorCode(error) ?? 'unknown error'})`, error);
  }
  if (created) return { rootKey: consume(fresh), created: true };
  fresh.fill(0);
  const winner = await readRootKeyFile(path);
  if (winner === null) throw refuse(path, 'disappeared while it was being created');
  return { rootKey: consume(winner), created: false };
}

/** Builds the root key and scrubs the raw bytes, which nothing needs after derivation. */
function consume(bytes: Buffer): RootKey {
  try {
    return rootKeyFromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
