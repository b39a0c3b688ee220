/**
 * The in-memory twin of the LevelDB store, for tests and simulation: the same contract and the
 * same checks, with state that lives as long as the instance (close and open keep it).
 */
import type { KeyStore } from './key-store.ts';
import { createKvKeyStore } from './kv-key-store.ts';
import { createMemoryEngine } from './memory-engine.ts';

export function createMemoryKeyStore(): KeyStore {
  return createKvKeyStore(createMemoryEngine());
}
