/**
 * Proves the in-memory twin honours the full KeyStore contract, so tests and simulations that use
 * it exercise the same behaviour as the LevelDB store.
 */
import { createMemoryKeyStore } from './memory-key-store.ts';
import { storeContract } from './store-contract.ts';

storeContract('memory', async () => {
  const store = createMemoryKeyStore();
  return { store, dispose: () => store.close() };
}, { propertyRuns: 300 });
