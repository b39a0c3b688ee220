/**
 * The small ordered key-value engine a KeyStore sits on. All of the store's logic (layout,
 * validation, pagination) lives above this line once, so LevelDB and the memory twin differ only
 * in how they keep ordered entries, and the contract suite checks both through the same code.
 */
import type { KeyRange } from './key-layout.ts';

export type KvOp =
  | { readonly type: 'put'; readonly key: string; readonly value: unknown }
  | { readonly type: 'del'; readonly key: string };

export interface KvEngine {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Applies every op in order, or none; resolves only once the write is durable. */
  write(ops: readonly KvOp[]): Promise<void>;
  /** A fresh copy of the value, or undefined when the key is absent. */
  get(key: string): Promise<unknown>;
  /** Entries in key (code point) order, from a snapshot taken when iteration starts. */
  entries(range: KeyRange): AsyncIterable<readonly [string, unknown]>;
}
