// Proves the metadata validators: alias names, key references, descriptions, tags and regions are
// accepted or refused by their documented rules with the documented error codes, and any JSON
// value of the wrong shape is refused with a LatchkeyError rather than a TypeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LatchkeyError, type ErrorCode, isAliasName, isKeyId, validateAliasName, validateDescription, validateKeyReference,
  validateRegionName, validateRegions, validateTagKeys, validateTags,
} from './index.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);
const code = (c: ErrorCode) => expect.objectContaining({ code: c });

describe('alias names', () => {
  it('accepts alias/<name> with letters, digits, /, _ and -, up to 256 characters', () => {
    for (const name of ['alias/billing', 'alias/team_a/prod-1', 'alias/A', `alias/${'x'.repeat(250)}`]) {
      expect(validateAliasName(name)).toBe(name);
    }
  });

  it('refuses other shapes, reserved prefixes and overlong names with InvalidAliasNameException', () => {
    for (const name of ['billing', 'alias/', 'alias/with space', 'alias/ümlaut', 'Alias/x', 'alias/a.b', `alias/${'x'.repeat(251)}`, 'alias/aws/s3', 'alias/latchkey/internal']) {
      expect(() => validateAliasName(name), name).toThrow(code('InvalidAliasNameException'));
    }
  });

  it('tells key ids from alias names, and refuses other references as not found', () => {
    const id = '0b9d3f7e-1c2a-4e5b-8f60-7a8b9c0d1e2f';
    expect([isKeyId(id), isAliasName(id), isKeyId('alias/x'), isAliasName('alias/x')]).toEqual([true, false, false, true]);
    expect(isKeyId(id.toUpperCase())).toBe(false);
    expect(validateKeyReference(id)).toBe(id);
    expect(validateKeyReference('alias/x')).toBe('alias/x');
    expect(() => validateKeyReference('alias/aws/x')).toThrow(code('InvalidAliasNameException'));
    expect(() => validateKeyReference('arn:aws:kms:key/x')).toThrow(code('NotFoundException'));
  });
});

describe('descriptions', () => {
  it('accepts up to 8192 characters and refuses more or non-strings', () => {
    expect(validateDescription('d'.repeat(8192))).toHaveLength(8192);
    expect(() => validateDescription('d'.repeat(8193))).toThrow(code('ValidationException'));
    expect(() => validateDescription(42 as unknown as string)).toThrow(code('ValidationException'));
  });
});

describe('tags', () => {
  it('accepts letters of any script, digits, spaces and _.:/=+-@, and empty values', () => {
    const tags = { 'Cost Centre': '4711', 'team:name/env=+@-_.': '', Équipe: 'Zürich 2026', ['k'.repeat(128)]: 'v'.repeat(256) };
    expect(validateTags(tags)).toEqual(tags);
    expect(validateTagKeys(['Cost Centre', 'Équipe'])).toEqual(['Cost Centre', 'Équipe']);
  });

  it('refuses bad keys, bad values, reserved aws: keys and more than 50 tags with TagException', () => {
    const refused: Record<string, string>[] = [
      { '': 'v' }, { ['k'.repeat(129)]: 'v' }, { 'bad!': 'v' }, { 'aws:owner': 'v' }, { 'AWS:Owner': 'v' },
      { k: 'v'.repeat(257) }, { k: 'semi;colon' }, { k: 'line\nbreak' },
      Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'x'])),
    ];
    for (const tags of refused) expect(() => validateTags(tags), JSON.stringify(tags).slice(0, 60)).toThrow(code('TagException'));
    expect(validateTags(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'x'])))).toBeTruthy();
    expect(() => validateTagKeys(['ok', 'aws:x'])).toThrow(code('TagException'));
  });
});

describe('regions', () => {
  it('accepts lower-case names up to 32 characters and normalises a set: sorted, without duplicates', () => {
    expect(validateRegionName('us-east-1')).toBe('us-east-1');
    expect(validateRegionName('r'.repeat(32))).toHaveLength(32);
    expect(validateRegions(['us-east', 'eu-west', 'us-east'])).toEqual(['eu-west', 'us-east']);
  });

  it('refuses empty sets and malformed names with ValidationException', () => {
    for (const name of ['', 'US-East', '1region', '-west', 'r'.repeat(33), 'eu_west', 'eu west']) {
      expect(() => validateRegionName(name), name).toThrow(code('ValidationException'));
    }
    expect(() => validateRegions([])).toThrow(code('ValidationException'));
    expect(() => validateRegions(['ok', 'Bad'])).toThrow(code('ValidationException'));
  });
});

describe('wrong shapes from JSON', () => {
  it('property "bad input never hurts": every validator answers any JSON value with a value or a LatchkeyError', () => {
    const validators: ((value: never) => unknown)[] = [
      validateAliasName, validateKeyReference, validateDescription, validateTags, validateTagKeys, validateRegionName, validateRegions, isKeyId, isAliasName,
    ];
    fc.assert(fc.property(fc.constantFrom(...validators), fc.jsonValue(), (validate, value) => {
      try {
        validate(value as never);
      } catch (err) {
        expect(err).toBeInstanceOf(LatchkeyError);
      }
    }), { seed: SEED, numRuns: 2000 });
  });
});

describe('validateDescription and Unicode', () => {
  it('refuses lone surrogates (the store cannot keep them) and accepts surrogate pairs', async () => {
    const { validateDescription } = await import('./validation.ts');
    expect(() => validateDescription('\ud800')).toThrow(/lone surrogates/);
    expect(() => validateDescription('ok \udc00 no')).toThrow(/lone surrogates/);
    expect(validateDescription('emoji \u{1F511}')).toBe('emoji \u{1F511}');
  });
});
