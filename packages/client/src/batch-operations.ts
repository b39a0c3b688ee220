/**
 * Batch encrypt and decrypt: one request, one result per item, in order. An item that fails does
 * not fail the batch; its result carries the error code instead of throwing.
 */
import { toBase64 } from './base64.ts';
import { call, type Answer } from './answer.ts';
import { ciphertextKeyIds } from './crypto-operations.ts';
import type { ErrorCode, EncryptionContext } from '@latchkey/core';
import type { Requester } from './api-request.ts';

export interface BatchEncryptItem {
  readonly keyId: string;
  readonly plaintext: Uint8Array;
  readonly encryptionContext?: EncryptionContext;
}

export interface BatchDecryptItem {
  readonly ciphertext: Uint8Array;
  readonly encryptionContext?: EncryptionContext;
}

export interface BatchItemFailure {
  readonly ok: false;
  readonly code: ErrorCode | (string & {});
  readonly message: string;
}

export type BatchEncryptResult =
  | { readonly ok: true; readonly ciphertext: Uint8Array; readonly keyId: string; readonly keyVersion: number }
  | BatchItemFailure;

export type BatchDecryptResult =
  | { readonly ok: true; readonly plaintext: Uint8Array; readonly keyId: string; readonly keyVersion: number }
  | BatchItemFailure;

export interface BatchEncryptInput {
  /** 1..1000 items. */
  readonly items: readonly BatchEncryptItem[];
}

export interface BatchDecryptInput {
  readonly items: readonly BatchDecryptItem[];
}

export interface BatchEncryptOutput {
  readonly results: readonly BatchEncryptResult[];
}

export interface BatchDecryptOutput {
  readonly results: readonly BatchDecryptResult[];
}

/** Decodes the one binary field of successful results; failures pass through. */
function decodeResults(answer: Answer, field: 'ciphertext' | 'plaintext', expectedCount: number): unknown[] {
  const results = answer.list(answer.fields.results, 'results');
  // Results match items by position, so a missing one would silently shift every later result.
  if (results.length !== expectedCount) throw answer.invalid(`it holds ${results.length} results for ${expectedCount} items`);
  return results.map((value, index) => {
    const result = answer.record(value, `results[${index}]`);
    return result.ok === true ? { ...result, [field]: answer.bytes(field, result) } : result;
  });
}

export async function batchEncrypt(requester: Requester, input: BatchEncryptInput): Promise<BatchEncryptOutput> {
  const items = input.items.map((item) => ({ keyId: item.keyId, plaintext: toBase64(item.plaintext), encryptionContext: item.encryptionContext }));
  // Every key of the batch bounds where it may go: a region outside one key's policy would fail that item.
  const keyIds = [...new Set(input.items.map((item) => item.keyId))];
  const answer = await call(requester, { operation: 'BatchEncrypt', method: 'POST', path: '/v1/batch/encrypt', body: { items }, effect: 'read', keyIds });
  return answer.as<BatchEncryptOutput>({ results: decodeResults(answer, 'ciphertext', items.length) });
}

export async function batchDecrypt(requester: Requester, input: BatchDecryptInput): Promise<BatchDecryptOutput> {
  const items = input.items.map((item) => ({ ciphertext: toBase64(item.ciphertext), encryptionContext: item.encryptionContext }));
  const keyIds = [...new Set(input.items.flatMap((item) => ciphertextKeyIds(item.ciphertext)))];
  const answer = await call(requester, { operation: 'BatchDecrypt', method: 'POST', path: '/v1/batch/decrypt', body: { items }, effect: 'read', keyIds });
  return answer.as<BatchDecryptOutput>({ results: decodeResults(answer, 'plaintext', items.length) });
}
