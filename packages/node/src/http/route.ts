/**
 * One way to declare a route: its operation name (metrics label and OpenAPI operationId), who may
 * call it, its schemas, and a handler that returns the answer body. The helper does the rest.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@latchkey/core';
import { requireAdmin } from '../token-registry.ts';
import { responses } from './schemas.ts';

export type Access = 'open' | 'principal' | 'admin';

export interface RouteContext<B, P, Q> {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly principal: Principal;
  readonly body: B;
  readonly params: P;
  readonly query: Q;
}

export interface RouteSpec<B, P, Q> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly operation: string;
  readonly summary: string;
  readonly access?: Access;
  readonly body?: Record<string, unknown>;
  readonly params?: Record<string, unknown>;
  readonly querystring?: Record<string, unknown>;
  readonly status?: number;
  readonly response: Record<string, unknown> | null;
  readonly bodyLimit?: number;
  readonly handler: (context: RouteContext<B, P, Q>) => Promise<unknown> | unknown;
}

export interface RouteConfig {
  readonly operation: string;
  readonly access: Access;
  readonly summary: string;
}

const ANONYMOUS: Principal = { principal: 'anonymous', admin: false };

export function addRoute<B = unknown, P = unknown, Q = unknown>(app: FastifyInstance, spec: RouteSpec<B, P, Q>): void {
  const status = spec.status ?? 200;
  const access = spec.access ?? 'principal';
  const config: RouteConfig = { operation: spec.operation, access, summary: spec.summary };
  app.route({
    method: spec.method,
    url: spec.url,
    config,
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    schema: {
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.querystring ? { querystring: spec.querystring } : {}),
      response: responses(status, spec.response),
    },
    handler: async (request, reply) => {
      const principal = request.principal ?? ANONYMOUS;
      if (access === 'admin') requireAdmin(principal);
      const result = await spec.handler({
        request, reply, principal, body: request.body as B, params: request.params as P, query: request.query as Q,
      });
      reply.code(status);
      return status === 204 ? null : result;
    },
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
