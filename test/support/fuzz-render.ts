/**
 * Renders a fuzz request description (fuzz-requests.ts) into bytes against a live node: its routes
 * (from its own OpenAPI document), its real keys, tokens and a real ciphertext. Values that must fit
 * or twist a field's schema are built here, with a small seeded generator, so they replay exactly.
 */
import {
  SLOW_KEY_SPECS, type Body, type FieldName, type FuzzRequest, type FuzzTarget, type Route, type Schema, type Value,
} from './fuzz-requests.ts';

/** A small deterministic generator (mulberry32) for `fit` values, seeded by the generated number. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let z = Math.imul(state ^ (state >>> 15), 1 | state);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) % n;
  };
}

const typesOf = (schema: Schema): readonly string[] => (schema.type === undefined ? [] : [schema.type].flat());

/** A JSON value that satisfies `schema` (when there is one), built from the node's real keys. */
function fit(schema: Schema | undefined, pick: (n: number) => number, target: FuzzTarget, depth = 0): unknown {
  if (schema?.enum) {
    const values = schema.enum.filter((v) => !SLOW_KEY_SPECS.includes(v as string));
    return values[pick(values.length)];
  }
  const types = schema ? typesOf(schema) : [];
  if (schema && (types.includes('object') || schema.properties)) {
    const out: Record<string, unknown> = {};
    const properties = Object.entries(schema.properties ?? {});
    for (const [name, property] of properties) {
      if ((schema.required ?? []).includes(name) || pick(3) === 0) out[name] = fit(property, pick, target, depth + 1);
    }
    if (properties.length === 0 && typeof schema.additionalProperties === 'object') {
      for (let i = pick(3); i > 0; i--) out[['purpose', 'tenant', 'team'][i - 1]!] = fit(schema.additionalProperties, pick, target, depth + 1);
    }
    return out;
  }
  if (schema && types.includes('array')) {
    if (types.includes('null') && pick(2) === 0) return null;
    return Array.from({ length: Math.max(schema.minItems ?? 0, 1 + pick(2)) }, () => fit(schema.items, pick, target, depth + 1));
  }
  if (types.includes('integer') || types.includes('number')) {
    const min = schema?.minimum ?? 0;
    const max = schema?.maximum ?? min + 100;
    return [min, max, min + pick(Math.min(max - min + 1, 1_000))][pick(3)];
  }
  if (types.includes('boolean')) return pick(2) === 0;
  if (schema?.pattern) return `fuzz-${pick(1_000)}`;
  const maxLength = schema?.maxLength ?? 300;
  const base64 = () => Buffer.from(Array.from({ length: 1 + pick(48) }, () => pick(256))).toString('base64');
  // Most string fields of the API are base64; the rest name keys, aliases or principals.
  const candidates = [
    base64, base64, base64,
    () => target.refs.symmetric,
    () => target.refs[(['signing', 'mac', 'agreement', 'alias'] as const)[pick(4)]!],
    () => target.ciphertext.toString('base64'),
    () => `alias/fuzz-${pick(50)}`,
    () => `fuzz-principal-${pick(50)}`,
  ];
  const text = candidates[pick(candidates.length)]!();
  return text.length <= maxLength ? text : text.slice(0, maxLength);
}

const HOSTILE_TEXTS = [
  '\ud800', 'a\udc00b', '\udbff\udfff\ud800', '\u0000', 'a\u0000b', '', ' ', '__proto__', 'constructor', 'toString', '\u2028\u2029',
  '\ufeff', '%00', '../..', 'alias/', 'alias/aws/x', 'alias/latchkey/x', '====', 'A===', 'AA==', 'AAA=', 'AAAA', 'Zm9v\n', 'Zm9v ', '-_-_',
];
/** The sweep tries fewer texts per field than the random twist draws from: the ones most likely to bite. */
const SWEEP_TEXTS = ['\ud800', 'a\udc00b', '\u0000', '', ' ', '__proto__', 'alias/aws/x', '====', 'AA==', 'Zm9v\n'];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', '\ud800', '', 'a\u0000b', 'aws:x', 'x'.repeat(300)];

/** JSON text of the schema's own type with hostile content. */
function twist(schema: Schema | undefined, pick: (n: number) => number, target: FuzzTarget): string {
  const types = schema ? typesOf(schema) : [];
  const maxLength = schema?.maxLength ?? 64;
  if (schema?.enum || types.includes('string') || types.length === 0) {
    const choices = [
      () => HOSTILE_TEXTS[pick(HOSTILE_TEXTS.length)]!,
      () => 'é'.repeat(maxLength),
      () => '\ud83d\ude00'.repeat(maxLength), // astral characters: maxLength code points, twice as many UTF-16 units
      () => 'A'.repeat(maxLength),
      () => Buffer.alloc(Math.floor(maxLength / 4) * 3 + pick(4)).toString('base64'),
      () => `${target.refs.symmetric}\u0000`,
      () => target.ciphertext.toString('base64url'),
    ];
    return JSON.stringify(choices[pick(choices.length)]!());
  }
  if (types.includes('integer') || types.includes('number')) {
    const min = schema?.minimum ?? 0;
    const max = schema?.maximum ?? 2 ** 31;
    return [String(min - 1), String(max + 1), '-0', '0', '1e309', '1.5', String(2 ** 53 + 1), `${min}.0`, '1e2'][pick(9)]!;
  }
  if (types.includes('boolean')) return pick(2) === 0 ? 'true' : 'false';
  if (types.includes('array')) {
    const count = [0, 1, 2, 65, 1001][pick(5)]!;
    if (count === 1001 && pick(4) !== 0) return '[]'; // a rare giant batch, not a common one
    return `[${Array.from({ length: count }, () => (pick(2) === 0 ? twist(schema?.items, pick, target) : JSON.stringify(fit(schema?.items, pick, target)))).join(',')}]`;
  }
  if (schema?.properties) {
    const names = Object.keys(schema.properties);
    const twisted = names[pick(names.length)];
    const base = fit(schema, pick, target) as Record<string, unknown>;
    const entries = Object.entries(base).map(([name, value]) => `${JSON.stringify(name)}:${name === twisted ? twist(schema.properties?.[name], pick, target) : JSON.stringify(value)}`);
    return `{${entries.join(',')}}`;
  }
  const values = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const count = [1, 2, 65, 51][pick(4)]!;
  const entries = Array.from({ length: count }, (_, i) => {
    const key = pick(2) === 0 ? HOSTILE_KEYS[pick(HOSTILE_KEYS.length)]! : `k${i}`;
    return `${JSON.stringify(key)}:${twist(values, pick, target)}`;
  });
  return `{${entries.join(',')}}`;
}

function propertySchema(schema: Schema | undefined, name: string): Schema | undefined {
  if (schema?.properties && Object.hasOwn(schema.properties, name)) return schema.properties[name];
  return typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function fieldName(name: FieldName, schema: Schema | undefined): string {
  if ('name' in name) return name.name;
  const names = Object.keys(schema?.properties ?? {});
  return names.length > 0 ? names[name.field % names.length]! : ['plaintext', 'keyId', 'ciphertext', 'purpose'][name.field % 4]!;
}

export function renderValue(value: Value, schema: Schema | undefined, target: FuzzTarget): string {
  switch (value.t) {
    case 'raw': return value.text;
    case 'str': return JSON.stringify(value.s);
    case 'b64': return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
    case 'ref': return JSON.stringify(target.refs[value.which]);
    case 'ciphertext': {
      const copy = Buffer.from(target.ciphertext);
      const at = value.at % copy.length;
      copy[at] = (copy[at] ?? 0) ^ value.xor;
      return JSON.stringify(copy.toString('base64'));
    }
    case 'huge': return JSON.stringify(value.ch.repeat(value.n));
    case 'fit': return JSON.stringify(fit(schema, seeded(value.seed), target)) ?? 'null';
    case 'twist': return twist(schema, seeded(value.seed), target);
    case 'arr': return `[${value.items.map((item) => renderValue(item, schema?.items, target)).join(',')}]`;
    case 'obj': return renderObject(value.entries, schema, target);
  }
}

function renderObject(entries: readonly (readonly [FieldName, Value])[], schema: Schema | undefined, target: FuzzTarget): string {
  return `{${entries.map(([name, value]) => {
    const key = fieldName(name, schema);
    return `${JSON.stringify(key)}:${renderValue(value, propertySchema(schema, key), target)}`;
  }).join(',')}}`;
}

function renderBody(body: Body, schema: Schema | undefined, target: FuzzTarget): Buffer | null {
  switch (body.kind) {
    case 'none': return null;
    case 'text': return Buffer.from(body.text, 'utf8');
    case 'bytes': return Buffer.from(body.bytes);
    case 'json': return Buffer.from(renderValue(body.value, schema, target), 'utf8');
    case 'fields': {
      const names = Object.keys(schema?.properties ?? {});
      const chosen = names.filter((name, i) => (schema?.required ?? []).includes(name) || (body.optional >> i) & 1);
      const entries = chosen.map((name, i) => [{ name }, body.values[i % body.values.length]!] as const);
      return Buffer.from(renderObject(entries, schema, target), 'utf8');
    }
  }
}

/**
 * Every hostile value of a schema's own type, as JSON texts: for an object, each property in turn
 * (the others fitting), recursively, so that nested fields (batch items) are covered too.
 */
export function hostileVariants(schema: Schema | undefined, target: FuzzTarget, depth = 0): string[] {
  const types = schema ? typesOf(schema) : [];
  const fitting = (s: Schema | undefined) => JSON.stringify(fit(s, seeded(7), target)) ?? 'null';
  if (schema?.properties) {
    const base = fit({ ...schema, required: Object.keys(schema.properties) }, seeded(7), target) as Record<string, unknown>;
    return Object.entries(schema.properties).flatMap(([name, property]) => hostileVariants(property, target, depth + 1).map((variant) =>
      `{${Object.entries(base).map(([other, value]) => `${JSON.stringify(other)}:${other === name ? variant : JSON.stringify(value)}`).join(',')}}`));
  }
  if (types.includes('array')) {
    return ['[]', '[null]', `[${fitting(schema?.items)},${fitting(schema?.items)}]`, ...hostileVariants(schema?.items, target, depth + 1).map((v) => `[${v}]`)];
  }
  if (types.includes('integer') || types.includes('number')) {
    const min = schema?.minimum ?? 0;
    const max = schema?.maximum ?? 2 ** 31;
    return [String(min - 1), String(max + 1), '-0', '1e309', '1.5', String(2 ** 53 + 1), `${min}.0`];
  }
  if (types.includes('boolean')) return ['"true"', '1'];
  if (types.includes('object') || typeof schema?.additionalProperties === 'object') {
    const many = `{${Array.from({ length: 65 }, (_, i) => `"k${i}":"v"`).join(',')}}`;
    return [...HOSTILE_KEYS.map((key) => `{${JSON.stringify(key)}:"x"}`), '{"x":"\ud800"}', '{"x":""}', '{"x":"\u0000"}', many];
  }
  const maxLength = schema?.maxLength ?? 64;
  return [
    ...SWEEP_TEXTS, 'é'.repeat(maxLength), '\ud83d\ude00'.repeat(maxLength), 'A'.repeat(maxLength + 1),
    Buffer.alloc(Math.floor(maxLength / 4) * 3 + 3).toString('base64'),
  ].map((text) => JSON.stringify(text));
}

/** The request for one hostile body on a route, with the key that suits the route. */
export function sweepRequest(route: Route, body: string, target: FuzzTarget): PreparedRequest {
  const keyRef = /sign|verify\b|public-key/.test(route.template) ? target.refs.signing
    : /mac/.test(route.template) ? target.refs.mac
      : /shared-secret/.test(route.template) ? target.refs.agreement : target.refs.symmetric;
  const path = route.template.replace(/\{(keyId|tokenId)\}/, keyRef).replace('{aliasName}', target.refs.alias);
  const bytes = Buffer.from(body, 'utf8');
  return {
    method: route.method, path, body: bytes,
    headers: { authorization: `Bearer ${target.adminToken}`, 'content-type': 'application/json', 'content-length': String(bytes.length) },
  };
}

export interface PreparedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | null;
}

export function prepareRequest(request: FuzzRequest, target: FuzzTarget): PreparedRequest {
  const route = target.routes[request.route % target.routes.length]!;
  const named: Record<string, string> = {
    '@symmetric': target.refs.symmetric, '@signing': target.refs.signing, '@mac': target.refs.mac, '@agreement': target.refs.agreement,
    '@alias': encodeURIComponent(target.refs.alias),
  };
  const ref = Object.hasOwn(named, request.keyRef) ? named[request.keyRef]! : request.keyRef;
  const aliasName = request.keyRef.startsWith('@') ? target.refs.alias : ref;
  const path = route.template.replace(/\{(keyId|tokenId)\}/, ref).replace('{aliasName}', aliasName) + request.query;
  const body = renderBody(request.body, route.body ?? undefined, target);
  const headers: Record<string, string> = {};
  for (const [name, value] of request.extraHeaders) headers[name] = value;
  if (request.contentType !== null) headers['content-type'] = request.contentType;
  const authorization = request.authorization === '@none' ? null
    : request.authorization === '@admin' ? `Bearer ${target.adminToken}`
      : request.authorization === '@app' ? `Bearer ${target.appToken}`
        : request.authorization.replaceAll('@admin', target.adminToken).replaceAll('@app', target.appToken);
  if (authorization !== null) headers.authorization = authorization;
  if (body !== null) headers['content-length'] = String(body.length);
  return { method: request.method ?? route.method, path, headers, body };
}

/** Every operation of the node's OpenAPI document, with its request body schema. */
export function routesFromOpenApi(document: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>> }): Route[] {
  return Object.entries(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(), template, body: operation.requestBody?.content?.['application/json']?.schema ?? null,
    })));
}
