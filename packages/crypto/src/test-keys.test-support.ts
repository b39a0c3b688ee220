/**
 * Shared by this package's tests: one generated key per spec per test file (RSA-4096 takes a
 * while), the property-test seed, and a matcher for the one error type callers may see.
 */
import { expect } from 'vitest';
import type { ErrorCode, KeySpec } from '@latchkey/core';
import { LatchkeyError } from '@latchkey/core';
import { generateKeyMaterial, type GeneratedMaterial } from './key-material.ts';
import { loadKey, type LoadedKey } from './loaded-key.ts';

/** Fixed by default so CI is repeatable; set LATCHKEY_SEED to explore. fast-check prints it on failure. */
export const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);

export interface TestKey {
  readonly material: GeneratedMaterial;
  readonly key: LoadedKey;
}

const cache = new Map<KeySpec, TestKey>();

export function testKey(spec: KeySpec): TestKey {
  let entry = cache.get(spec);
  if (entry === undefined) {
    const material = generateKeyMaterial(spec);
    entry = { material, key: loadKey(spec, material.secret) };
    cache.set(spec, entry);
  }
  return entry;
}

/** Runs `action` and insists it throws a LatchkeyError with `code`; returns it for further checks. */
export function expectLatchkeyError(action: () => unknown, code: ErrorCode): LatchkeyError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe(code);
    return error as LatchkeyError;
  }
  throw new LatchkeyError('KMSInternalException', `expected ${code}, but nothing was thrown`);
}

export async function expectLatchkeyErrorAsync(action: () => Promise<unknown>, code: ErrorCode): Promise<LatchkeyError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe(code);
    return error as LatchkeyError;
  }
  throw new LatchkeyError('KMSInternalException', `expected ${code}, but nothing was thrown`);
}

/** True if `text` contains the material in any common encoding: the "no key material in errors" check. */
export function mentionsBytes(text: string, bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes);
  const middle = b.subarray(Math.max(0, Math.floor(b.length / 2) - 4), Math.floor(b.length / 2) + 4);
  const needles = [middle.toString('hex'), b.toString('hex'), b.toString('base64'), b.toString('base64url')];
  return needles.some((needle) => needle.length >= 8 && text.toLowerCase().includes(needle.toLowerCase()));
}
