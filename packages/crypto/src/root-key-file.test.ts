// Proves the root key file is created with 32 random bytes and mode 0600 (in a directory that
// need not exist yet), reloads to the same root key, leaves no temporary files, resolves a race
// between concurrent creators to one key, and is refused (KMSInternalException with a message that
// says why) when it is group- or world-accessible, not 32 bytes, or not a regular file.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateRootKeyFile } from './root-key-file.ts';
import { expectLatchkeyErrorAsync } from './test-keys.test-support.ts';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'latchkey-root-key-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const posix = process.platform !== 'win32';

describe('loadOrCreateRootKeyFile', () => {
  it('creates a 32-byte file with mode 0600, then reloads the same key', async () => {
    const path = join(base, 'fresh', 'nested', 'root.key');
    const first = await loadOrCreateRootKeyFile(path);
    expect(first.created).toBe(true);
    const info = await stat(path);
    expect(info.size).toBe(32);
    if (posix) expect(info.mode & 0o777).toBe(0o600);

    const wrapped = first.rootKey.wrap(Buffer.from('material'), Buffer.from('aad'));
    const second = await loadOrCreateRootKeyFile(path);
    expect(second.created).toBe(false);
    expect(second.rootKey.fingerprint).toBe(first.rootKey.fingerprint);
    expect(Buffer.from(second.rootKey.unwrap(wrapped, Buffer.from('aad'))).toString()).toBe('material');
    expect(await readdir(join(base, 'fresh', 'nested'))).toEqual(['root.key']);
  });

  it('gives concurrent creators one and the same key', async () => {
    const path = join(base, 'race', 'root.key');
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateRootKeyFile(path)));
    expect(new Set(results.map((r) => r.rootKey.fingerprint)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await readdir(join(base, 'race'))).toEqual(['root.key']);
  });

  it('loads a key someone else wrote with mode 0400', async () => {
    const path = join(base, 'readonly.key');
    await writeFile(path, randomBytes(32), { mode: 0o400 });
    const loaded = await loadOrCreateRootKeyFile(path);
    expect(loaded.created).toBe(false);
  });

  it.runIf(posix)('refuses a file that group or others can access, and says how to fix it', async () => {
    for (const mode of [0o640, 0o604, 0o644, 0o660, 0o602]) {
      const path = join(base, `mode-${mode.toString(8)}.key`);
      await writeFile(path, randomBytes(32));
      await chmod(path, mode);
      const error = await expectLatchkeyErrorAsync(() => loadOrCreateRootKeyFile(path), 'KMSInternalException');
      expect(error.message).toContain(path);
      expect(error.message).toContain(`0${mode.toString(8)}`);
      expect(error.message).toContain('chmod 600');
      // Refusing must not repair or replace the file.
      expect((await stat(path)).mode & 0o777).toBe(mode);
    }
  });

  it('refuses a file that is not exactly 32 bytes, and leaves it alone', async () => {
    for (const size of [0, 31, 33, 64]) {
      const path = join(base, `size-${size}.key`);
      const bytes = randomBytes(size);
      await writeFile(path, bytes, { mode: 0o600 });
      const error = await expectLatchkeyErrorAsync(() => loadOrCreateRootKeyFile(path), 'KMSInternalException');
      expect(error.message).toContain(`${size} bytes`);
      expect((await readFile(path)).equals(bytes)).toBe(true);
    }
  });

  it('refuses a directory in place of the file', async () => {
    const path = join(base, 'a-directory');
    await mkdir(path, { mode: 0o700 });
    await expectLatchkeyErrorAsync(() => loadOrCreateRootKeyFile(path), 'KMSInternalException');
  });
});
