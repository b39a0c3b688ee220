// Proves invariant 7, "bad input never hurts", as a property: random malformed and hostile HTTP
// requests against an in-process node never get a 5xx, never crash it and never hang it. Requests
// pick any route of the node's own OpenAPI document (so new routes are fuzzed without editing this
// file) with a random or the wrong method; path ids that are real, random, percent-encoded
// (invalid escapes, overlong UTF-8, NUL) or huge; bodies that are invalid JSON, deeply nested, raw
// non-UTF-8 bytes, or JSON whose fields have wrong types, huge strings, lone surrogates, 1e309,
// -0, "NaN", prototype-pollution keys, arrays for objects, real and tampered ciphertexts; random
// content types and authorization headers. A second run sends bodies that fit each route's schema
// but for one or two hostile values, so that those reach the handlers, and a deterministic sweep
// tries every hostile value of its type in every field of every route (nested ones included).
// Every answer is a 2xx, or a 4xx whose JSON body is {code, message} with a catalogue code and that
// code's status; afterwards /healthz and /readyz still answer and the node logged no internal error.
//
// Answers that Node's HTTP parser gives before the app sees the request are covered at the end.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERROR_CODES, isErrorCode } from '@latchkey/core';
import { startTestNode, type TestNode } from '../packages/node/src/testing/test-node.ts';
import { hostileVariants, prepareRequest, routesFromOpenApi, sweepRequest, type PreparedRequest } from './support/fuzz-render.ts';
import { deepRequestArb, edgeRequestArb, type FuzzRequest, type FuzzTarget } from './support/fuzz-requests.ts';
import { checkProperty } from './support/property-seed.ts';

const NUM_RUNS = 200;
const REQUEST_TIMEOUT_MS = 5_000;

let t: TestNode;
let target: FuzzTarget;

interface Answer { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly text: string }

/** One request on its own connection (a refused request may close it), bounded in time. */
function send(prepared: PreparedRequest): Promise<Answer> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: Number(port), method: prepared.method, path: prepared.path, headers: prepared.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms (a hang)`)));
    request.on('error', reject);
    request.end(prepared.body ?? undefined);
  });
}

/** The contract every answer keeps, whatever was sent; the reason when it is broken. */
function contractBreach(prepared: PreparedRequest, answer: Answer): string | null {
  if (answer.status < 200 || answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (prepared.method === 'HEAD' || answer.status === 204) return null;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    if (answer.status < 300 && prepared.path.startsWith('/metrics')) return null;
    return `a ${answer.status} answer that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  if (answer.status < 300) return null;
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  if (!isErrorCode(code)) return `a ${answer.status} answer without a catalogue code: ${answer.text.slice(0, 300)}`;
  if (typeof message !== 'string') return `a ${code} answer without a message`;
  if (ERROR_CODES[code].status !== answer.status) return `${code} answered with status ${answer.status}; the catalogue says ${ERROR_CODES[code].status}`;
  if (/\n\s+at .+:\d+:\d+/.test(message)) return `a stack trace in the message of ${code}`;
  return null;
}

function describeRequest(prepared: PreparedRequest): string {
  const body = prepared.body === null ? '(none)' : `${prepared.body.length} bytes: ${prepared.body.toString('utf8').slice(0, 200)}`;
  return `${prepared.method} ${prepared.path.slice(0, 200)}\nheaders ${JSON.stringify(prepared.headers).slice(0, 300)}\nbody ${body}`;
}

/**
 * Puts the fixtures back after a successful change (a key disabled or scheduled for deletion, the
 * alias moved or deleted, old versions retired), so that later requests still reach the handlers
 * of enabled keys instead of stopping at a state check.
 */
async function restoreFixtures(): Promise<void> {
  for (const keyId of [target.refs.symmetric, target.refs.signing, target.refs.mac, target.refs.agreement]) {
    const { keyMetadata } = (await t.call('GET', `/v1/keys/${keyId}`)).body;
    if (keyMetadata.keyState === 'PendingDeletion') await t.call('POST', `/v1/keys/${keyId}/cancel-deletion`, {});
    if (keyMetadata.keyState !== 'Enabled') await t.call('POST', `/v1/keys/${keyId}/enable`, {});
    if (keyMetadata.minDecryptionVersion > 1) await t.call('PUT', `/v1/keys/${keyId}/min-decryption-version`, { minDecryptionVersion: 1 });
  }
  const alias = await t.call('GET', `/v1/keys/${encodeURIComponent(target.refs.alias)}`);
  if (alias.status === 404) await t.call('POST', '/v1/aliases', { aliasName: target.refs.alias, targetKeyId: target.refs.symmetric });
  else if (alias.body.keyMetadata.keyId !== target.refs.symmetric) await t.call('PUT', `/v1/aliases/${target.refs.alias}`, { targetKeyId: target.refs.symmetric });
}

async function exchange(request: FuzzRequest, statuses: Map<number, number>): Promise<void> {
  const prepared = prepareRequest(request, target);
  let answer: Answer;
  try {
    answer = await send(prepared);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nfor ${describeRequest(prepared)}`);
  }
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const breach = contractBreach(prepared, answer);
  if (breach !== null) throw new Error(`${breach}\nfor ${describeRequest(prepared)}`);
  if (answer.status < 300 && !['GET', 'HEAD'].includes(prepared.method)) await restoreFixtures();
}

beforeAll(async () => {
  t = await startTestNode();
  const create = async (body: unknown) => (await t.call('POST', '/v1/keys', body)).body.keyMetadata.keyId as string;
  const refs = {
    symmetric: await create({}),
    signing: await create({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }),
    mac: await create({ keySpec: 'HMAC_256' }),
    agreement: await create({ keySpec: 'ECC_NIST_P256', keyUsage: 'KEY_AGREEMENT' }),
    alias: 'alias/fuzz',
    unknownKey: '00000000-0000-4000-8000-000000000000',
  };
  expect((await t.call('POST', '/v1/aliases', { aliasName: refs.alias, targetKeyId: refs.symmetric })).status).toBe(201);
  const encrypted = await t.call('POST', `/v1/keys/${refs.symmetric}/encrypt`, { plaintext: 'ZnV6eg==', encryptionContext: { purpose: 'fuzz' } });
  const appToken = (await t.call('POST', '/v1/tokens', { principal: 'fuzz-app' })).body.token as string;
  const routes = routesFromOpenApi((await t.call('GET', '/v1/openapi.json')).body);
  expect(routes.length).toBeGreaterThan(40);
  target = { routes, refs, ciphertext: Buffer.from(encrypted.body.ciphertext, 'base64'), adminToken: t.token, appToken };
}, 30_000);

afterAll(async () => {
  await t?.close();
});

describe('hostile HTTP requests', () => {
  for (const [name, arbitrary] of [['at the edge', edgeRequestArb], ['past the edge', deepRequestArb]] as const) {
    it(`never get a 5xx, a crash or a hang; every refusal is {code, message} from the catalogue (${name})`, async () => {
      const statuses = new Map<number, number>();
      await checkProperty(`every answer is a 2xx or a catalogue 4xx (${name})`, fc.asyncProperty(arbitrary, (request) => exchange(request, statuses)), {
        numRuns: NUM_RUNS,
      });
      // Not vacuous: many requests got through to a success, and refusals came in several kinds.
      const successes = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
      expect(successes).toBeGreaterThan(NUM_RUNS / 20);
      expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThanOrEqual(3);
    }, 60_000);
  }

  it('each hostile value of each field of each route, in turn, gets a 2xx or a catalogue 4xx (a sweep)', async () => {
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const route of target.routes.filter((r) => r.body !== null)) {
      for (const body of hostileVariants(route.body ?? undefined, target)) {
        const prepared = sweepRequest(route, body, target);
        let answer: Answer;
        try {
          answer = await send(prepared);
        } catch (error) {
          throw new Error(`${(error as Error).message}\nfor ${describeRequest(prepared)}`);
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const breach = contractBreach(prepared, answer);
        if (breach !== null) throw new Error(`${breach}\nfor ${describeRequest(prepared)}`);
        if (answer.status < 300) await restoreFixtures();
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(400);
  }, 60_000);

  it('leaves the node alive, ready, and without an internal error in its log', async () => {
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    expect((await t.call('GET', '/readyz')).status).toBe(200);
    expect((await t.call('POST', `/v1/keys/${target.refs.symmetric}/encrypt`, { plaintext: 'aGk=' })).status).toBeLessThan(500);
    const errors = t.logs.flatMap((chunk) => chunk.split('\n')).flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; code?: string; method?: string; url?: string; err?: { message?: string } };
        return (entry.level ?? 0) >= 50 ? [`${entry.msg}: ${entry.code} ${entry.method} ${entry.url}: ${entry.err?.message}`] : [];
      } catch {
        return [];
      }
    });
    expect(errors).toEqual([]);
  });
});

/** Raw bytes on a socket, for requests that no well-behaved client library will send. */
function rawExchange(request: string | Buffer): Promise<{ status: number; text: string }> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error('no answer (a hang)')));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('requests refused by Node\'s HTTP parser, before the app', () => {
  const cases: [string, () => string][] = [
    ['request line and headers over 16 KiB', () => `GET /v1/keys/${'k'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n\r\n`],
    ['a body longer than its Content-Length', () => `POST /v1/random HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${t.token}\r\nContent-Length: 2\r\n\r\n{}XYZ garbage\r\n\r\n`],
    ['both Content-Length and Transfer-Encoding', () => `POST /v1/random HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['a malformed request line', () => 'GET\r\n\r\n'],
    ['an Expect header other than 100-continue', () => `GET /v1/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\nExpect: nothing\r\nConnection: close\r\n\r\n`],
  ];
  for (const [name, request] of cases) {
    it(`${name}: a 4xx (never a 5xx or a hang), and the node keeps serving`, async () => {
      const answer = await rawExchange(request());
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect((await t.call('GET', '/healthz')).status).toBe(200);
    });
  }

  // The node's own clientErrorHandler and checkExpectation handler answer these in the catalogue's shape.
  for (const [name, request] of cases) {
    it(`${name}: answered with the catalogue shape {code, message}`, async () => {
      const answer = await rawExchange(request());
      expect(isErrorCode((JSON.parse(answer.text) as { code?: unknown }).code)).toBe(true);
    });
  }
});
