/**
 * The AWS KMS wire protocol (AWS JSON 1.1) on the node's own port: `POST /` with
 * `X-Amz-Target: TrentService.<Operation>` and `Content-Type: application/x-amz-json-1.1`,
 * authenticated by SigV4. It lives in its own fastify scope, so that its body parser (raw bytes
 * kept for the payload hash, JSON parsed with prototype-poisoning protection), its error shape
 * (`__type`, HTTP 400) and its `x-amzn-RequestId` header touch nothing of the native API.
 *
 * Each operation translates AWS JSON into calls on the same control plane, data plane and key
 * directory as the native API, and their results and errors back: nothing is implemented twice.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LatchkeyError, type Clock, type Principal } from '@latchkey/core';
import { fromFastifyError } from '../app.ts';
import type { NodeServices } from '../routes/services.ts';
import { ALIAS_OPERATIONS } from './alias-operations.ts';
import type { ArnContext } from './arns.ts';
import type { AwsOperationTable } from './aws-context.ts';
import type { AwsCredentialRegistry } from './credential-registry.ts';
import { ENCRYPTION_OPERATIONS } from './encryption-operations.ts';
import { KEY_OPERATIONS } from './key-operations.ts';
import { ROTATION_OPERATIONS } from './rotation-operations.ts';
import { SIGNING_OPERATIONS } from './signing-operations.ts';
import { verifySigV4 } from './sigv4.ts';
import { TAG_OPERATIONS } from './tag-operations.ts';
import { AWS_JSON_CONTENT_TYPE, awsErrorAnswer } from './wire-output.ts';

export interface AwsEndpointDeps {
  readonly services: NodeServices;
  readonly credentials: AwsCredentialRegistry;
  readonly accountId: string;
  /** Real time: signatures are dated by the caller's clock, never by a test clock. */
  readonly wallClock: Clock;
}

export const AWS_OPERATIONS: AwsOperationTable = {
  ...KEY_OPERATIONS, ...TAG_OPERATIONS, ...ALIAS_OPERATIONS, ...ROTATION_OPERATIONS, ...ENCRYPTION_OPERATIONS, ...SIGNING_OPERATIONS,
};

const TARGET = /^TrentService\.([A-Za-z]{1,64})$/;
const AWS_JSON_TYPES = ['application/x-amz-json-1.1', 'application/x-amz-json-1.0'];

/** What the body parser hands the handler: the bytes as received (for SigV4) and the parsed JSON or its failure. */
interface AwsBody {
  readonly raw: Buffer;
  readonly value: unknown;
  readonly failed: boolean;
}

function sendError(raw: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const error = fromFastifyError(raw);
  (reply as unknown as { latchkeyCode?: string }).latchkeyCode = error.code;
  const fields = { requestId: request.id, code: error.code, operation: request.metricsOperation, principal: request.principal?.principal };
  if (error.kind === 'internal') request.log.error({ ...fields, err: error.cause ?? error }, 'AWS request failed');
  else request.log.info(fields, 'AWS request refused');
  const answer = awsErrorAnswer(error);
  void reply.code(answer.status).header('content-type', AWS_JSON_CONTENT_TYPE).send(JSON.stringify(answer.body));
}

function operationOf(request: FastifyRequest): { name: string; run: AwsOperationTable[string] } {
  const target = request.headers['x-amz-target'];
  const name = typeof target === 'string' ? TARGET.exec(target)?.[1] : undefined;
  const run = name !== undefined && Object.hasOwn(AWS_OPERATIONS, name) ? AWS_OPERATIONS[name] : undefined;
  request.metricsOperation = `aws:${run && name ? name : 'Unknown'}`;
  if (!run || !name) {
    throw new LatchkeyError('UnknownOperationException', `X-Amz-Target must name a supported operation, such as TrentService.Encrypt; see docs/aws-compatibility.md`);
  }
  return { name, run };
}

function inputOf(body: AwsBody | undefined): Readonly<Record<string, unknown>> {
  if (body === undefined || body.raw.length === 0) return {};
  if (body.failed) throw new LatchkeyError('SerializationException', 'The request body is not valid JSON');
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LatchkeyError('SerializationException', 'The request body must be a JSON object');
  return value as Readonly<Record<string, unknown>>;
}

export function registerAwsEndpoint(app: FastifyInstance, deps: AwsEndpointDeps): void {
  const arns: ArnContext = { region: deps.services.region, accountId: deps.accountId, regions: deps.services.cluster.regionNames };
  const verifier = {
    region: deps.services.region, service: 'kms', nowMs: () => deps.wallClock.nowMs(),
    lookup: (accessKeyId: string) => deps.credentials.lookup(accessKeyId),
  };
  void app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(AWS_JSON_TYPES, { parseAs: 'buffer' }, (request, raw, done) => {
      const bytes = raw as Buffer;
      if (bytes.length === 0) return done(null, { raw: bytes, value: {}, failed: false } satisfies AwsBody);
      // Parse errors wait until the signature is checked: an unsigned caller learns nothing from the body.
      parseJson(request, bytes.toString('utf8'), (error, value) => done(null, { raw: bytes, value, failed: error !== null && error !== undefined } satisfies AwsBody));
    });
    scope.addHook('onRequest', (request, reply, done) => {
      reply.header('x-amzn-RequestId', request.id);
      done();
    });
    scope.setErrorHandler(sendError);
    scope.post('/', { config: { access: 'open' } }, async (request, reply) => {
      const operation = operationOf(request);
      const body = request.body as AwsBody | undefined;
      const caller = verifySigV4({ method: request.method, url: request.raw.url ?? '/', rawHeaders: request.raw.rawHeaders, body: body?.raw ?? Buffer.alloc(0) }, verifier);
      const principal: Principal = { principal: caller.principal, admin: false };
      request.principal = principal;
      const output = await operation.run({ services: deps.services, arns, principal }, inputOf(body));
      reply.header('content-type', AWS_JSON_CONTENT_TYPE);
      return JSON.stringify(output);
    });
  });
}
