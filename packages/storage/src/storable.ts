/**
 * The values a store accepts: null, booleans, numbers, well-formed strings, Uint8Arrays, dense
 * arrays and plain objects of these. That is exactly what survives MessagePack unchanged, so the
 * LevelDB store and the memory twin give back the same thing; anything else (undefined, Date, Map,
 * class instances, bigint, lone surrogates) is refused at commit instead of coming back different.
 * One deliberate loss, shared by both: -0 is stored as 0.
 */
import { isWellFormed } from './code-point-order.ts';

const DEPTH_MAX = 64;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

interface Problem {
  readonly reason: string;
  /** Where in the value, built while unwinding: `.tags.x`, `[2].wrapped`. */
  readonly path: string;
}

/** Why a value cannot be stored and where inside it, or null when it can. */
export function storableProblem(value: unknown): string | null {
  const problem = findProblem(value, 0);
  return problem === null ? null : `${problem.reason} at ${problem.path === '' ? 'the top level' : problem.path}`;
}

function findProblem(value: unknown, depth: number): Problem | null {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return null;
  if (typeof value === 'string') return isWellFormed(value) ? null : { reason: 'a string with a lone surrogate', path: '' };
  if (typeof value !== 'object') return { reason: `a value of type ${typeof value}`, path: '' };
  if (value instanceof Uint8Array) return null;
  if (depth >= DEPTH_MAX) return { reason: `nesting deeper than ${DEPTH_MAX}`, path: '' };
  if (Array.isArray(value)) return arrayProblem(value, depth);
  if (!isPlainObject(value)) return { reason: `an instance of ${value.constructor?.name ?? 'a class'}`, path: '' };
  return objectProblem(value, depth);
}

function arrayProblem(value: unknown[], depth: number): Problem | null {
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) return { reason: 'a hole in an array', path: `[${i}]` };
    const problem = findProblem(value[i], depth + 1);
    if (problem !== null) return { reason: problem.reason, path: `[${i}]${problem.path}` };
  }
  return null;
}

function objectProblem(value: object, depth: number): Problem | null {
  for (const [name, field] of Object.entries(value)) {
    if (!isWellFormed(name)) return { reason: 'a property name with a lone surrogate', path: '' };
    const problem = findProblem(field, depth + 1);
    if (problem !== null) return { reason: problem.reason, path: `.${name}${problem.path}` };
  }
  return null;
}

/**
 * A deep copy that owns all its memory, shaped as MessagePack decoding shapes it: plain
 * Uint8Arrays (not Buffers sharing a pool), prototype-ful plain objects, and 0 for -0.
 * Assumes `storableProblem(value)` is null.
 */
export function copyStorable<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(copyValue);
  // fromEntries defines properties, so a tag named "__proto__" stays data, not a prototype.
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, copyValue(field)]));
}
