export type { KeyStore, Page, StoreBatch } from './key-store.ts';
export { createLevelKeyStore } from './level-key-store.ts';
export { createMemoryKeyStore } from './memory-key-store.ts';
