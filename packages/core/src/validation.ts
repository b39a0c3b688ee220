/**
 * Validation of the small values that make up key metadata. Each returns the value when it is
 * acceptable and throws a typed LatchkeyError naming the field and the rule otherwise.
 */
import { LatchkeyError, invalid } from './errors.ts';
import { LIMITS } from './key-specs.ts';

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;
const REGION = /^[a-z][a-z0-9-]{0,31}$/;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

// Values reach these functions straight from parsed JSON, so each one checks the type first:
// a number where a string belongs must become a typed 4xx, never a TypeError (a 500).

export function isKeyId(value: string): boolean {
  return typeof value === 'string' && KEY_ID.test(value);
}

export function isAliasName(value: string): boolean {
  return typeof value === 'string' && value.startsWith('alias/');
}

export function validateAliasName(value: string): string {
  if (typeof value !== 'string' || value.length > LIMITS.aliasNameMaxChars || !ALIAS.test(value)) {
    throw new LatchkeyError(
      'InvalidAliasNameException',
      'alias names have the form alias/<name>, with letters, digits, /, _ and - only, at most 256 characters',
    );
  }
  if (value.startsWith('alias/aws/') || value.startsWith('alias/latchkey/')) {
    throw new LatchkeyError('InvalidAliasNameException', 'alias names beginning alias/aws/ or alias/latchkey/ are reserved');
  }
  return value;
}

/** A key reference as a caller gives it: a key id or an alias name. */
export function validateKeyReference(value: string): string {
  if (isKeyId(value)) return value;
  if (isAliasName(value)) return validateAliasName(value);
  throw new LatchkeyError('NotFoundException', 'keyId must be a key id (UUID) or an alias name (alias/<name>)');
}

export function validateDescription(value: string): string {
  if (typeof value !== 'string' || value.length > LIMITS.descriptionMaxChars || /\p{Surrogate}/u.test(value)) {
    throw invalid(`description must be well-formed Unicode (no lone surrogates) of at most ${LIMITS.descriptionMaxChars} characters`);
  }
  return value;
}

function validateTagKey(key: string): string {
  if (typeof key !== 'string' || key.length < 1 || key.length > LIMITS.tagKeyMaxChars || !TAG_CHARS.test(key)) {
    throw new LatchkeyError('TagException', `tag keys are 1 to ${LIMITS.tagKeyMaxChars} characters of letters, digits, spaces and _.:/=+-@`);
  }
  if (key.toLowerCase().startsWith('aws:')) throw new LatchkeyError('TagException', 'tag keys beginning aws: are reserved');
  return key;
}

export function validateTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw new LatchkeyError('TagException', 'tags must be an object of string values');
  const entries = Object.entries(tags);
  if (entries.length > LIMITS.tagsMax) throw new LatchkeyError('TagException', `at most ${LIMITS.tagsMax} tags`);
  for (const [key, value] of entries) {
    validateTagKey(key);
    if (typeof value !== 'string' || value.length > LIMITS.tagValueMaxChars || !TAG_CHARS.test(value)) {
      throw new LatchkeyError('TagException', `tag values are at most ${LIMITS.tagValueMaxChars} characters of letters, digits, spaces and _.:/=+-@`);
    }
  }
  return Object.fromEntries(entries);
}

export function validateTagKeys(keys: readonly string[]): string[] {
  if (!Array.isArray(keys)) throw new LatchkeyError('TagException', 'tagKeys must be a list of tag keys');
  return keys.map((key) => validateTagKey(key));
}

export function validateRegionName(value: string): string {
  if (typeof value !== 'string' || !REGION.test(value)) {
    // Quote at most a short prefix: the name is caller input and may be huge or not a string at all.
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : `of type ${typeof value}`;
    throw invalid(`region ${shown} must be at most 32 lower-case letters, digits and -, starting with a letter`);
  }
  return value;
}

/** A non-empty set of region names, sorted and without duplicates. */
export function validateRegions(regions: readonly string[]): string[] {
  if (!Array.isArray(regions)) throw invalid('regions must be a list of region names');
  if (regions.length === 0) throw invalid('regions must name at least one region');
  return [...new Set(regions.map(validateRegionName))].sort();
}
