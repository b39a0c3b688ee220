// Proves region transport wrapping: only the addressed region unwraps, the AAD binds key, version
// and region, any changed byte fails, and change signatures verify only under the signer's key.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rootKeyFromBytes } from './root-key.ts';
import {
  generateRegionIdentity, regionIdentityFromSeeds, privateKeyOf, signBytes, signingPublicKeyOf, transportAad, transportPublicKeyOf, unwrapForRegion, verifyBytes,
  wrapForRegion,
} from './region-transport.ts';

const eu = generateRegionIdentity();
const us = generateRegionIdentity();
const seed = Number(process.env.LATCHKEY_SEED ?? 20261128);

describe('region transport', () => {
  it('round trips for the addressed region only', () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const aad = transportAad('k1', 1, 'eu');
    const wrapped = wrapForRegion(transportPublicKeyOf(eu.transportPublicKey), secret, aad);
    expect(Buffer.from(unwrapForRegion(privateKeyOf(eu.transportPrivateKey), wrapped, aad)).equals(secret)).toBe(true);
    expect(() => unwrapForRegion(privateKeyOf(us.transportPrivateKey), wrapped, aad)).toThrow(/does not authenticate/);
    expect(() => unwrapForRegion(privateKeyOf(eu.transportPrivateKey), wrapped, transportAad('k1', 2, 'eu'))).toThrow();
    expect(Buffer.from(wrapped).includes(secret)).toBe(false);
  });

  it('fails on any changed byte (property)', () => {
    const own = privateKeyOf(eu.transportPrivateKey);
    const pub = transportPublicKeyOf(eu.transportPublicKey);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (secret, at, flip) => {
        const aad = transportAad('k', 3, 'eu');
        const wrapped = Buffer.from(wrapForRegion(pub, secret, aad));
        const i = at % wrapped.length;
        wrapped[i] = (wrapped[i] as number) ^ flip;
        expect(() => unwrapForRegion(own, wrapped, aad)).toThrow();
      }),
      { seed, numRuns: 100 },
    );
  });

  it('signatures verify only under the signer key and for the same bytes', () => {
    const data = Buffer.from('change bytes');
    const signature = signBytes(privateKeyOf(eu.signingPrivateKey), data);
    expect(verifyBytes(signingPublicKeyOf(eu.signingPublicKey), data, signature)).toBe(true);
    expect(verifyBytes(signingPublicKeyOf(us.signingPublicKey), data, signature)).toBe(false);
    expect(verifyBytes(signingPublicKeyOf(eu.signingPublicKey), Buffer.from('change bytez'), signature)).toBe(false);
    expect(() => transportPublicKeyOf(eu.signingPublicKey)).toThrow(/x25519/);
  });
});

describe('derived region identity', () => {
  it('is the same for the same root key and purpose, different otherwise', () => {
    const root = rootKeyFromBytes(Buffer.alloc(32, 7));
    const again = rootKeyFromBytes(Buffer.alloc(32, 7));
    const other = rootKeyFromBytes(Buffer.alloc(32, 8));
    const a = regionIdentityFromSeeds(root.derive('t/eu'), root.derive('s/eu'));
    const b = regionIdentityFromSeeds(again.derive('t/eu'), again.derive('s/eu'));
    const c = regionIdentityFromSeeds(other.derive('t/eu'), other.derive('s/eu'));
    const d = regionIdentityFromSeeds(root.derive('t/us'), root.derive('s/us'));
    expect(Buffer.from(a.transportPublicKey).equals(Buffer.from(b.transportPublicKey))).toBe(true);
    expect(Buffer.from(a.signingPublicKey).equals(Buffer.from(b.signingPublicKey))).toBe(true);
    expect(Buffer.from(a.transportPublicKey).equals(Buffer.from(c.transportPublicKey))).toBe(false);
    expect(Buffer.from(a.transportPublicKey).equals(Buffer.from(d.transportPublicKey))).toBe(false);
    const wrapped = wrapForRegion(transportPublicKeyOf(a.transportPublicKey), Buffer.from('s'), transportAad('k', 1, 'eu'));
    expect(Buffer.from(unwrapForRegion(privateKeyOf(b.transportPrivateKey), wrapped, transportAad('k', 1, 'eu'))).toString()).toBe('s');
  });
});
