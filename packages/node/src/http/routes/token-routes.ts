/** Bearer tokens for principals; only administrators manage them. */
import { addRoute } from '../route.ts';
import { bool, object, str } from '../schemas.ts';
import type { RouteRegistrar } from './services.ts';

const tokenInfo = {
  type: 'object',
  properties: { tokenId: { type: 'string' }, principal: { type: 'string' }, admin: bool, creationDate: { type: 'string' } },
};

export const registerTokenRoutes: RouteRegistrar = (app, services) => {
  addRoute<{ principal: string; admin?: boolean }, unknown, unknown>(app, {
    method: 'POST', url: '/v1/tokens', operation: 'CreateToken', summary: 'Issue a bearer token for a principal (shown once).',
    access: 'admin', status: 201,
    body: object({ principal: str(128, 1), admin: bool }, ['principal']),
    response: object({ tokenId: { type: 'string' }, principal: { type: 'string' }, admin: bool, token: { type: 'string' } }),
    handler: async ({ body }) => {
      const { record, token } = await services.controlPlane.createToken(body.principal, body.admin ?? false);
      return { tokenId: record.tokenId, principal: record.principal, admin: record.admin, token };
    },
  });

  addRoute(app, {
    method: 'GET', url: '/v1/tokens', operation: 'ListTokens', summary: 'Issued tokens (never the tokens themselves).', access: 'admin',
    response: object({ tokens: { type: 'array', items: tokenInfo } }),
    handler: () => ({
      tokens: services.tokens.list().map((t) => ({
        tokenId: t.tokenId, principal: t.principal, admin: t.admin, creationDate: new Date(t.creationDateMs).toISOString(),
      })),
    }),
  });

  addRoute<unknown, { tokenId: string }, unknown>(app, {
    method: 'DELETE', url: '/v1/tokens/:tokenId', operation: 'RevokeToken', summary: 'Revoke a token at once.', access: 'admin', status: 204,
    params: object({ tokenId: str(64, 1) }, ['tokenId']), response: null,
    handler: async ({ params }) => {
      await services.controlPlane.revokeToken(params.tokenId);
      return null;
    },
  });

  addRoute(app, {
    method: 'GET', url: '/v1/whoami', operation: 'WhoAmI', summary: 'The principal behind the token.',
    response: object({ principal: { type: 'string' }, admin: bool }),
    handler: ({ principal }) => ({ principal: principal.principal, admin: principal.admin }),
  });
};
