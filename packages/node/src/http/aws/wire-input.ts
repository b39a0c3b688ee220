/**
 * Reading members of an AWS JSON 1.1 request body. Unknown members are ignored (newer SDKs send
 * members this node does not know, as AWS services ignore them too); a member of the wrong JSON
 * type is a SerializationException and a missing or out-of-range one a ValidationException, with
 * messages shaped like AWS's ("1 validation error detected: ...").
 */
import { LatchkeyError } from '@latchkey/core';

export type AwsInput = Readonly<Record<string, unknown>>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function validationError(name: string, constraint: string, value: unknown = null): LatchkeyError {
  const shown = value === null ? 'null' : `'${String(value).slice(0, 100)}'`;
  return new LatchkeyError('ValidationException', `1 validation error detected: Value ${shown} at '${lowerFirst(name)}' failed to satisfy constraint: ${constraint}`);
}

function typeError(name: string, expected: string): LatchkeyError {
  return new LatchkeyError('SerializationException', `${name} must be ${expected}`);
}

function member(input: AwsInput, name: string): unknown {
  return Object.hasOwn(input, name) ? input[name] : undefined;
}

export function optionalString(input: AwsInput, name: string, maxLength: number, minLength = 1): string | undefined {
  const value = member(input, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(name, 'a string');
  if (value.length < minLength) throw validationError(name, `Member must have length greater than or equal to ${minLength}`, value);
  if (value.length > maxLength) throw validationError(name, `Member must have length less than or equal to ${maxLength}`, value);
  return value;
}

export function requiredString(input: AwsInput, name: string, maxLength: number, minLength = 1): string {
  const value = optionalString(input, name, maxLength, minLength);
  if (value === undefined) throw validationError(name, 'Member must not be null');
  return value;
}

export function optionalEnum<T extends string>(input: AwsInput, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, name, 256);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw validationError(name, `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
  return value as T;
}

export function requiredEnum<T extends string>(input: AwsInput, name: string, allowed: readonly T[]): T {
  const value = optionalEnum(input, name, allowed);
  if (value === undefined) throw validationError(name, 'Member must not be null');
  return value;
}

export function optionalInteger(input: AwsInput, name: string, min: number, max: number): number | undefined {
  const value = member(input, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(name, 'an integer');
  if (value < min) throw validationError(name, `Member must have value greater than or equal to ${min}`, value);
  if (value > max) throw validationError(name, `Member must have value less than or equal to ${max}`, value);
  return value;
}

export function optionalBoolean(input: AwsInput, name: string): boolean | undefined {
  const value = member(input, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean');
  return value;
}

/** A blob member: standard padded base64 (what every AWS SDK sends), at most `maxBytes` decoded. */
export function optionalBlob(input: AwsInput, name: string, maxBytes: number): Buffer | undefined {
  const value = member(input, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !BASE64.test(value)) throw typeError(name, 'standard padded base64');
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1) throw validationError(name, 'Member must have length greater than or equal to 1');
  if (bytes.length > maxBytes) throw validationError(name, `Member must have length less than or equal to ${maxBytes}`);
  return bytes;
}

export function requiredBlob(input: AwsInput, name: string, maxBytes: number): Buffer {
  const value = optionalBlob(input, name, maxBytes);
  if (value === undefined) throw validationError(name, 'Member must not be null');
  return value;
}

/** A map of strings (EncryptionContext); a fresh object without a prototype chain to trip over. */
export function stringMap(input: AwsInput, name: string): Record<string, string> {
  const value = member(input, name);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError(name, 'a map of strings');
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw typeError(`${name}.${key.slice(0, 100)}`, 'a string');
    Object.defineProperty(out, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function stringList(input: AwsInput, name: string, maxItems: number, maxLength: number): string[] | undefined {
  const value = member(input, name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw typeError(name, 'a list of strings');
  if (value.length > maxItems) throw validationError(name, `Member must have length less than or equal to ${maxItems}`);
  return value.map((entry: unknown) => {
    if (typeof entry !== 'string') throw typeError(name, 'a list of strings');
    if (entry.length > maxLength) throw validationError(name, `Member must satisfy constraint: [Member must have length less than or equal to ${maxLength}]`, entry);
    return entry;
  });
}

/** AWS tags [{TagKey, TagValue}] to a Latchkey tag map (core validates keys, values and count). */
export function tagList(input: AwsInput, name: string): Record<string, string> | undefined {
  const value = member(input, name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw typeError(name, 'a list of {TagKey, TagValue}');
  const tags: Record<string, string> = {};
  for (const tag of value as unknown[]) {
    if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) throw typeError(name, 'a list of {TagKey, TagValue}');
    const key = requiredString(tag as AwsInput, 'TagKey', 128);
    const tagValue = requiredString(tag as AwsInput, 'TagValue', 256, 0);
    Object.defineProperty(tags, key, { value: tagValue, enumerable: true, writable: true, configurable: true });
  }
  return tags;
}

/** AWS list pagination: Limit 1..1000 (default 100 unless given) and an opaque Marker. */
export function pageRequest(input: AwsInput, defaultLimit = 100): { limit: number; marker: string | null } {
  return { limit: optionalInteger(input, 'Limit', 1, 1000) ?? defaultLimit, marker: optionalString(input, 'Marker', 1024) ?? null };
}

/** Members this node does not implement: accepted only at their neutral value. */
export function refuseMember(input: AwsInput, name: string, why: string): void {
  const value = member(input, name);
  if (value === undefined || value === null || value === false || (Array.isArray(value) && value.length === 0)) return;
  throw new LatchkeyError('UnsupportedOperationException', `${name} is not supported by Latchkey: ${why}`);
}
