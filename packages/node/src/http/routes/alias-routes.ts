/** Aliases: friendly names that point to a key and can be moved to another key of the same kind. */
import { LIMITS, LatchkeyError } from '@latchkey/core';
import { addRoute } from '../route.ts';
import { aliasJson } from '../presenters.ts';
import { aliasSchema, bool, keyRef, object, str } from '../schemas.ts';
import type { RouteRegistrar } from './services.ts';

const aliasParams = object({ '*': str(LIMITS.aliasNameMaxChars, 1) }, ['*']);

export const registerAliasRoutes: RouteRegistrar = (app, services) => {
  addRoute<{ aliasName: string; targetKeyId: string }, unknown, unknown>(app, {
    method: 'POST', url: '/v1/aliases', operation: 'CreateAlias', summary: 'Create an alias for a key.', status: 201,
    body: object({ aliasName: str(LIMITS.aliasNameMaxChars, 1), targetKeyId: keyRef }, ['aliasName', 'targetKeyId']),
    response: object({ alias: aliasSchema }),
    handler: async ({ body }) => ({ alias: aliasJson(await services.controlPlane.createAlias(body.aliasName, body.targetKeyId)) }),
  });

  addRoute<unknown, unknown, { keyId?: string; limit?: string; marker?: string }>(app, {
    method: 'GET', url: '/v1/aliases', operation: 'ListAliases', summary: 'List aliases, optionally of one key.',
    querystring: object({ keyId: keyRef, limit: { type: 'string', pattern: '^[0-9]{1,4}$' }, marker: str(LIMITS.aliasNameMaxChars) }),
    response: object({ aliases: { type: 'array', items: aliasSchema }, nextMarker: { type: 'string' }, truncated: bool }),
    handler: async ({ query }) => {
      const limit = query.limit === undefined ? LIMITS.listLimitDefault : Number(query.limit);
      if (limit < 1 || limit > LIMITS.listLimitMax) throw new LatchkeyError('ValidationException', `limit must be from 1 to ${LIMITS.listLimitMax}`);
      const keyId = query.keyId === undefined ? undefined : services.directory.resolve(query.keyId).keyId;
      const page = await services.store.listAliases({ limit, marker: query.marker ?? null, ...(keyId ? { keyId } : {}) });
      return { aliases: page.items.map(aliasJson), ...(page.nextMarker ? { nextMarker: page.nextMarker } : {}), truncated: page.nextMarker !== null };
    },
  });

  addRoute<{ targetKeyId: string }, { '*': string }, unknown>(app, {
    method: 'PUT', url: '/v1/aliases/*', operation: 'UpdateAlias', summary: 'Point an alias to another key of the same spec and usage.',
    params: aliasParams, body: object({ targetKeyId: keyRef }, ['targetKeyId']),
    response: object({ alias: aliasSchema }),
    handler: async ({ body, params }) => ({ alias: aliasJson(await services.controlPlane.updateAlias(params['*'], body.targetKeyId)) }),
  });

  addRoute<unknown, { '*': string }, unknown>(app, {
    method: 'DELETE', url: '/v1/aliases/*', operation: 'DeleteAlias', summary: 'Delete an alias; the key is unaffected.', status: 204,
    params: aliasParams, response: null,
    handler: async ({ params }) => {
      await services.controlPlane.deleteAlias(params['*']);
      return null;
    },
  });
};
