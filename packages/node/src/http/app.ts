/**
 * The fastify application of a region node: request ids, authentication, the error catalogue
 * mapping, metrics, and the routes. Composition lives in region-node.ts; this file only wires HTTP.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ERROR_CODES, LatchkeyError, toLatchkeyError } from '@latchkey/core';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { NodeMetrics } from '../metrics.ts';
import type { TokenRegistry } from '../token-registry.ts';
import type { RouteConfig } from './route.ts';

export interface AppDeps {
  readonly log: Logger;
  readonly tokens: TokenRegistry;
  readonly metrics: NodeMetrics;
  readonly bodyLimitBytes: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's own failures (body parsing, schema validation, limits) as catalogue errors. */
export function fromFastifyError(error: FastifyError & { validation?: unknown }): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  if (error.validation) return new LatchkeyError('ValidationException', error.message, { cause: error });
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new LatchkeyError('UnsupportedMediaTypeException', 'send the body as application/json', { cause: error });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LatchkeyError('RequestTooLargeException', 'the request body is too large', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new LatchkeyError('SerializationException', 'the request body is not valid JSON', { cause: error });
  }
  if (error instanceof SyntaxError) return new LatchkeyError('SerializationException', 'the request body is not valid JSON', { cause: error });
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new LatchkeyError('ValidationException', error.message, { cause: error });
  return toLatchkeyError(error);
}

function rawErrorResponse(status: number, code: string, message: string): string {
  const body = JSON.stringify({ code, message, requestId: randomUUID() });
  const reason = status === 413 ? 'Payload Too Large' : 'Bad Request';
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export function createApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }),
    // One line per refused or failed request comes from the error handler; none per success.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
    // Errors fastify raises before routing (a malformed URL, say) go through the same catalogue.
    frameworkErrors: (error, request, reply) => {
      const mapped = error.code === 'FST_ERR_BAD_URL'
        ? new LatchkeyError('NotFoundException', 'the URL names no valid key or resource', { cause: error })
        : fromFastifyError(error);
      void (reply as unknown as FastifyReply).code(mapped.status).send({ code: mapped.code, message: mapped.message, requestId: request.id });
    },
    // Requests Node's HTTP parser refuses (oversized headers, bad framing) never reach fastify's
    // handlers; answer them with the catalogue's JSON body too, then close the connection.
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const code = tooLarge ? 'RequestTooLargeException' : 'SerializationException';
      const message = tooLarge ? 'the request headers are too large' : 'the request is not well-formed HTTP';
      socket.end(rawErrorResponse(ERROR_CODES[code].status, code, message));
    },
  }) as unknown as FastifyInstance;
  app.server.on('checkExpectation', (_request, response) => {
    const body = JSON.stringify({ code: 'ValidationException', message: 'only Expect: 100-continue is supported', requestId: randomUUID() });
    response.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  });
  // The API speaks JSON only: without this, fastify would also accept text/plain bodies.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', null);
  // Routes that serve several operations (the AWS endpoint) name the one they ran, for metrics.
  app.decorateRequest('metricsOperation', null);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const config = request.routeOptions.config as Partial<RouteConfig>;
    if (config.access && config.access !== 'open') {
      request.principal = deps.tokens.authenticate(request.headers.authorization);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const operation = request.metricsOperation ?? (request.routeOptions.config as Partial<RouteConfig>).operation ?? 'Unknown';
    const code = (reply as unknown as { latchkeyCode?: string }).latchkeyCode ?? 'ok';
    deps.metrics.requests.inc({ operation, result: code });
    deps.metrics.latency.observe({ operation }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const error = fromFastifyError(raw);
    (reply as unknown as { latchkeyCode?: string }).latchkeyCode = error.code;
    const fields = { requestId: request.id, code: error.code, method: request.method, url: request.routeOptions.url };
    if (error.kind === 'internal') request.log.error({ ...fields, err: error.cause ?? error }, 'request failed');
    else request.log.info(fields, 'request refused');
    void reply.code(error.status).send({ code: error.code, message: error.message, requestId: request.id });
  });

  app.setNotFoundHandler((request, reply) => {
    (reply as unknown as { latchkeyCode?: string }).latchkeyCode = 'UnknownOperationException';
    void reply.code(404).send({
      code: 'UnknownOperationException',
      message: `no operation at ${request.method} ${request.url.split('?')[0]}`,
      requestId: request.id,
    });
  });
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    metricsOperation: string | null;
  }
}
