/**
 * Builds the OpenAPI 3.1 document from the routes as registered, so that the document can never
 * drift from the schemas fastify actually enforces.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteConfig } from './route.ts';

interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly config: RouteConfig;
  readonly schema: Record<string, unknown>;
}

export function collectRoutes(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config as RouteConfig | undefined;
    if (!config?.operation || route.method === 'HEAD') return;
    for (const method of [route.method].flat()) {
      routes.push({ method: String(method).toLowerCase(), url: route.url ?? '', config, schema: (route.schema ?? {}) as Record<string, unknown> });
    }
  });
  return routes;
}

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{aliasName}');
}

function parameters(url: string, query: Record<string, unknown> | undefined): unknown[] {
  const params: unknown[] = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (url.endsWith('*')) params.push({ name: 'aliasName', in: 'path', required: true, schema: { type: 'string' }, description: 'alias/<name>' });
  const props = (query?.properties ?? {}) as Record<string, unknown>;
  for (const [name, schema] of Object.entries(props)) params.push({ name, in: 'query', required: false, schema });
  return params;
}

export function openApiDocument(routes: readonly CollectedRoute[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries((route.schema.response ?? {}) as Record<string, unknown>)) {
      const code = status.replace('xx', 'XX');
      responses[code] = { description: code.startsWith('2') ? 'success' : 'error', content: { 'application/json': { schema } } };
    }
    const operation: Record<string, unknown> = {
      operationId: route.config.operation,
      summary: route.config.summary,
      parameters: parameters(route.url, route.schema.querystring as Record<string, unknown> | undefined),
      responses: Object.keys(responses).length > 0 ? responses : { 200: { description: 'success' } },
      security: route.config.access === 'open' ? [] : [{ bearer: [] }],
    };
    if (route.schema.body) operation.requestBody = { required: true, content: { 'application/json': { schema: route.schema.body } } };
    (paths[openApiPath(route.url)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Latchkey region node API', version: info.version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
