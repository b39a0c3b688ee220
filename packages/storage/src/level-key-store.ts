/**
 * The node's persistent store: one LevelDB folder, owned by one process at a time.
 */
import { invalid } from '@latchkey/core';
import type { KeyStore } from './key-store.ts';
import { createKvKeyStore } from './kv-key-store.ts';
import { createLevelEngine } from './level-engine.ts';

export function createLevelKeyStore(options: { path: string }): KeyStore {
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw invalid('the key store path must name a folder');
  }
  return createKvKeyStore(createLevelEngine(options.path));
}
