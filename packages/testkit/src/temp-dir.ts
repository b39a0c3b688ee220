/** A fresh directory under the OS temp folder, with a cleanup that may be called any number of times. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<TempDir> {
  // mkdtemp appends random characters to the prefix; a path separator in it would escape tmpdir.
  if (/[/\\]/.test(prefix)) throw new RangeError(`tempDir prefix must not contain a path separator: ${prefix}`);
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
