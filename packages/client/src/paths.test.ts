// Proves paths are encoded as docs/api.md asks: key ids and aliases as one segment, alias names in
// alias paths with their slashes kept, and no input can climb out of its route or address another.
import { describe, expect, it } from 'vitest';
import { aliasPath, keyPath, tokenPath } from './paths.ts';
import { LatchkeyClientError } from './client-error.ts';

describe('paths', () => {
  it('encodes an alias in a key path as one segment', () => {
    expect(keyPath('alias/billing', 'encrypt')).toBe('/v1/keys/alias%2Fbilling/encrypt');
    expect(keyPath('1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('/v1/keys/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(keyPath('alias/a b?c#d%')).toBe('/v1/keys/alias%2Fa%20b%3Fc%23d%25');
  });

  it('keeps the slashes of an alias name in an alias path but encodes the rest', () => {
    expect(aliasPath('alias/billing')).toBe('/v1/aliases/alias/billing');
    expect(aliasPath('alias/team/a b')).toBe('/v1/aliases/alias/team/a%20b');
  });

  it('refuses empty names and dot segments, which would address another route, before sending', () => {
    // URL parsing drops '..' even percent-encoded, so encoding alone cannot keep it in its route.
    expect(new URL('http://h/v1/keys/%2E%2E/rotate').pathname).toBe('/v1/rotate');
    const builders = [
      () => keyPath(''), () => aliasPath(''), () => tokenPath(''),
      () => keyPath('..', 'rotate'), () => keyPath('.'), () => aliasPath('alias/../x'), () => tokenPath('..'),
    ];
    for (const build of builders) {
      expect(build).toThrow(LatchkeyClientError);
      try {
        build();
      } catch (error) {
        expect((error as LatchkeyClientError).code).toBe('ValidationException');
        expect((error as LatchkeyClientError).status).toBeNull();
      }
    }
  });
});
