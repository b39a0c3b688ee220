/**
 * Hostile HTTP requests for the fuzz property, as fast-check arbitraries that describe a request as
 * plain data, so that a counterexample prints readably and replays exactly. fuzz-render.ts turns a
 * description into bytes against a live node. Nothing here sends anything.
 */
import fc from 'fast-check';
import {
  DATA_KEY_PAIR_SPECS, ENCRYPTION_ALGORITHMS, KEY_SPECS, KEY_USAGES, MAC_ALGORITHMS, SIGNING_ALGORITHMS,
} from '@latchkey/core';

/** The part of JSON Schema the node's OpenAPI document uses. */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly additionalProperties?: Schema | boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
}

export interface Route { readonly method: string; readonly template: string; readonly body: Schema | null }

export type RefName = 'symmetric' | 'signing' | 'mac' | 'agreement' | 'alias' | 'unknownKey';

/** What the renderer needs from the node under test. */
export interface FuzzTarget {
  readonly routes: readonly Route[];
  readonly refs: Readonly<Record<RefName, string>>;
  readonly ciphertext: Buffer;
  readonly adminToken: string;
  readonly appToken: string;
}

/** A field name: an index into the properties the schema at that place allows, or a hostile name. */
export type FieldName = { readonly field: number } | { readonly name: string };

/**
 * A JSON value as a small tree. `fit` renders a value that satisfies the schema at its place;
 * `twist` one of the schema's own type with hostile content (lone surrogates, boundaries plus one,
 * -0, prototype keys, one item too many), which the schema lets through to the handlers.
 */
export type Value =
  | { readonly t: 'raw'; readonly text: string }
  | { readonly t: 'str'; readonly s: string }
  | { readonly t: 'b64'; readonly bytes: Uint8Array }
  | { readonly t: 'ref'; readonly which: RefName }
  | { readonly t: 'ciphertext'; readonly at: number; readonly xor: number }
  | { readonly t: 'huge'; readonly n: number; readonly ch: string }
  | { readonly t: 'fit'; readonly seed: number }
  | { readonly t: 'twist'; readonly seed: number }
  | { readonly t: 'arr'; readonly items: readonly Value[] }
  | { readonly t: 'obj'; readonly entries: readonly (readonly [FieldName, Value])[] };

export type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'json'; readonly value: Value }
  /** The route's required fields always and optional ones by bit, with the values given in turn. */
  | { readonly kind: 'fields'; readonly values: readonly Value[]; readonly optional: number };

export interface FuzzRequest {
  readonly route: number;
  /** null: the route's own method. */
  readonly method: string | null;
  readonly keyRef: string;
  readonly query: string;
  readonly body: Body;
  readonly contentType: string | null;
  readonly authorization: string;
  readonly extraHeaders: readonly (readonly [string, string])[];
}

// ---- arbitraries -------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Any code point, plus lone surrogates, plus the characters that break naive parsers. */
const hostileChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '"', '\\', '/', '%', '\u2028', '\ufeff', '\ud83d\ude00', '\u00e9', '\n') },
);
const hostileString = fc.string({ unit: hostileChar, maxLength: 40 });
const latin1Char = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
const latin1String = fc.string({ unit: latin1Char, maxLength: 60 });

/** UTF-8 percent-encoding that, unlike encodeURIComponent, accepts lone surrogates (as U+FFFD). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

const namedKeyRef = fc.constantFrom('@symmetric', '@signing', '@mac', '@agreement', '@alias');
const keyRefArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: namedKeyRef },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: hostileString.map(percentEncode) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '', '%', '%zz', '%0', '%00', '%ff', '%C0%80', '%E0%80%80', '%ED%A0%80', '..', '%2e%2e', '.', '%2F', 'alias%2F', 'alias%2F..',
      'alias%2Fx%2F..%2F..', '%25', '%u0041', '~', '*', 'alias', 'alias%2Faws%2Fx', 'alias%2Flatchkey%2Fx', 'null', 'undefined', '__proto__',
      'constructor', 'toString', 'a;b', 'a,b', "a'b", 'a%22b', '0', '-1', '1e309',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 12_000 }).map((n) => 'k'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_500 }).map((n) => '%41'.repeat(n)) },
);

const queryArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom('limit', 'marker', 'keyId', '__proto__', 'constructor[prototype][x]', 'a', 'limit[]'), hostileString)
      .map(([name, value]) => `?${name}=${percentEncode(value)}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '?limit=0', '?limit=1', '?limit=1000', '?limit=1001', '?limit=99999', '?limit=-1', '?limit=1e309', '?limit=1&limit=2', '?%zz=1',
      '?marker=%00', '?keyId=alias%2Ffuzz', '?', '?&&&', '?limit', '?=', `?keyId=${'x'.repeat(400)}`,
    ),
  },
);

const numberTexts = fc.constantFrom(
  '1e309', '-1e309', '-0', '0', '1', '7', '30', '31', '90', '365', '1024', '1025', '4096', '-1', '1.5', '9007199254740993',
  '1e-400', '2560', '2561', '1000000', '1e3', '10', '0.0', '123456789012345678901234567890',
);
/** Generating such keys takes seconds and proves nothing new here, so the fuzzer never asks for them. */
export const SLOW_KEY_SPECS: readonly unknown[] = ['RSA_3072', 'RSA_4096'];
const enumStrings = fc.constantFrom(
  ...KEY_SPECS.filter((s) => !SLOW_KEY_SPECS.includes(s)), ...KEY_USAGES, ...ENCRYPTION_ALGORITHMS, ...SIGNING_ALGORITHMS,
  ...MAC_ALGORITHMS, ...DATA_KEY_PAIR_SPECS.filter((s) => !SLOW_KEY_SPECS.includes(s)),
  'AES_128', 'AES_256', 'RAW', 'DIGEST', 'ECDH', 'NaN', 'Infinity', '-0', 'null', 'true', '', ' ', '__proto__', 'alias/fuzz',
  'alias/fuzz-new', 'alias/aws/x', 'fuzz-principal', 'eu-west', 'local',
);
const hostileName = fc.constantFrom(
  '__proto__', 'constructor', 'prototype', '', ' ', 'toString', 'hasOwnProperty', 'PLAINTEXT', 'plaintext ', 'items.0', '\u0000', '\ud800',
);
const fieldNameArb: fc.Arbitrary<FieldName> = fc.oneof(
  { weight: 8, arbitrary: fc.nat(50).map((field) => ({ field })) },
  { weight: 1, arbitrary: hostileName.map((name) => ({ name })) },
  { weight: 1, arbitrary: hostileString.map((name) => ({ name })) },
);
const fitArb = fc.nat().map((seed): Value => ({ t: 'fit', seed }));
const twistArb = fc.nat().map((seed): Value => ({ t: 'twist', seed }));

export const valueArb: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: numberTexts.map((text): Value => ({ t: 'raw', text })) },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map((text): Value => ({ t: 'raw', text })) },
    { weight: 3, arbitrary: enumStrings.map((s): Value => ({ t: 'str', s })) },
    { weight: 2, arbitrary: hostileString.map((s): Value => ({ t: 'str', s })) },
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes): Value => ({ t: 'b64', bytes })) },
    { weight: 2, arbitrary: fc.constantFrom<RefName>('symmetric', 'signing', 'mac', 'agreement', 'alias', 'unknownKey').map((which): Value => ({ t: 'ref', which })) },
    { weight: 2, arbitrary: fc.record({ at: fc.nat(200), xor: fc.integer({ min: 0, max: 255 }) }).map(({ at, xor }): Value => ({ t: 'ciphertext', at, xor })) },
    { weight: 1, arbitrary: fc.record({ n: fc.integer({ min: 1_000, max: 70_000 }), ch: fc.constantFrom('A', 'é', '\ud800', '"') }).map(({ n, ch }): Value => ({ t: 'huge', n, ch })) },
    { weight: 3, arbitrary: fitArb },
    { weight: 2, arbitrary: twistArb },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((items): Value => ({ t: 'arr', items })) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fieldNameArb, tie('value')), { maxLength: 4 }).map((entries): Value => ({ t: 'obj', entries })) },
  ),
})).value;

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  { weight: 4, arbitrary: fc.array(fc.tuple(fieldNameArb, valueArb), { maxLength: 5 }).map((entries): Body => ({ kind: 'json', value: { t: 'obj', entries } })) },
  { weight: 2, arbitrary: valueArb.map((value): Body => ({ kind: 'json', value })) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.constantFrom(
        '', '{', '}', '[', 'null', 'true', '0', '"x"', '1e309', '{"a":', '{"a":1,}', "{'a':1}", '\u0000', '{"a":1}{"b":2}', '{"a":"\\ud800"}',
        '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"a":1e309}', '{"plaintext":"aGk=","plaintext":1}',
        '{"items":[{"__proto__":{"x":1}}]}', '\ufeff{}', ' {} ', '{}\n\n', '[]', '{"a":-0}', '{"":""}',
      ),
      fc.integer({ min: 10, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
      fc.integer({ min: 10, max: 12_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    ).map((text): Body => ({ kind: 'text', text })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes): Body => ({ kind: 'bytes', bytes })) },
);

/** Anything goes: method, path, query, body, content type and credentials are all fair game. */
export const edgeRequestArb: fc.Arbitrary<FuzzRequest> = fc.record({
  route: fc.nat(1_000),
  method: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), { freq: 3 }),
  keyRef: keyRefArb,
  query: queryArb,
  body: bodyArb,
  contentType: fc.option(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'APPLICATION/JSON',
          'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '',
          'application/json;;;', 'application/jsonx', '*/*', 'application/merge-patch+json', 'application/json, text/plain', 'json',
        ),
      },
      { weight: 1, arbitrary: latin1String },
    ),
    { freq: 6 },
  ),
  authorization: fc.oneof(
    { weight: 8, arbitrary: fc.constant('@admin') },
    { weight: 3, arbitrary: fc.constant('@app') },
    { weight: 1, arbitrary: fc.constant('@none') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Bearer', 'Bearer ', 'bearer @admin', 'Basic dXNlcjpwYXNz', 'Bearer lk_', 'Bearer @admin extra', 'Bearer  @admin', 'Bearer @admin,Bearer @app',
        `Bearer ${'A'.repeat(300)}`, 'Bearer lk_%00', 'Bearer ../../etc/passwd', 'Token @admin', 'AWS4-HMAC-SHA256 Credential=x',
      ),
    },
    { weight: 1, arbitrary: latin1String },
  ),
  extraHeaders: fc.array(
    fc.oneof(
      fc.tuple(fc.constant('x-request-id'), fc.oneof(latin1String, fc.constant('a'.repeat(200)), fc.constant('drill-1'))),
      fc.tuple(fc.constant('content-encoding'), fc.constantFrom('gzip', 'identity', 'br', 'deflate', 'x')),
      fc.tuple(fc.constant('accept'), fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml')),
      fc.tuple(fc.constant('x-amz-target'), fc.constantFrom('TrentService.Encrypt', 'x')),
    ),
    { maxLength: 2 },
  ),
});

/**
 * Requests that pass the HTTP edge (the route's own method, JSON, a valid token) with a body that
 * mostly fits the route's schema and has one or two hostile values, so that those reach the
 * handlers, the core and the store instead of stopping at the schema.
 */
export const deepRequestArb: fc.Arbitrary<FuzzRequest> = fc.record({
  route: fc.nat(1_000),
  keyRef: fc.oneof({ weight: 5, arbitrary: namedKeyRef }, { weight: 1, arbitrary: keyRefArb }),
  values: fc.array(
    fc.oneof({ weight: 5, arbitrary: fitArb }, { weight: 4, arbitrary: twistArb }, { weight: 2, arbitrary: valueArb }),
    { minLength: 1, maxLength: 7 },
  ),
  optional: fc.nat(127),
  app: fc.boolean(),
}).map(({ route, keyRef, values, optional, app }): FuzzRequest => ({
  route, method: null, keyRef, query: '', body: { kind: 'fields', values, optional }, contentType: 'application/json',
  authorization: app ? '@app' : '@admin', extraHeaders: [],
}));
