/** Control-plane routes for keys: create, list, describe, state changes, tags, rotation. */
import { LIMITS, LatchkeyError, type KeyCommand, type KeySpec, type KeyUsage } from '@latchkey/core';
import { addRoute } from '../route.ts';
import { keyMetadata } from '../presenters.ts';
import {
  bool, emptyBody, idempotencyKey, int, keyIdParams, keyMetadataResponse, keyMetadataSchema, keySpec, keyUsage, object, regions,
  str, tags,
} from '../schemas.ts';
import type { NodeServices, RouteRegistrar } from './services.ts';
import type { FastifyInstance } from 'fastify';

interface KeyParams { keyId: string }

interface CreateBody {
  keySpec?: KeySpec; keyUsage?: KeyUsage; description?: string; tags?: Record<string, string>;
  regions?: string[] | null; rotationPeriodDays?: number; idempotencyKey?: string;
}

/** A POST /v1/keys/{keyId}/<action> route that applies one key command. */
function commandRoute<B>(
  app: FastifyInstance, services: NodeServices,
  spec: { method: 'POST' | 'PUT'; action: string; operation: string; summary: string; body: Record<string, unknown>; command: (body: B) => KeyCommand },
): void {
  addRoute<B, KeyParams, unknown>(app, {
    method: spec.method,
    url: `/v1/keys/:keyId/${spec.action}`,
    operation: spec.operation,
    summary: spec.summary,
    params: keyIdParams,
    body: spec.body,
    response: keyMetadataResponse,
    handler: async ({ body, params, principal }) => {
      const idem = (body as { idempotencyKey?: string } | undefined)?.idempotencyKey;
      const record = await services.controlPlane.runCommand(params.keyId, spec.command(body ?? ({} as B)), {
        ...(idem ? { idempotencyKey: idem } : {}), principal,
      });
      return { keyMetadata: keyMetadata(record) };
    },
  });
}

export const registerKeyRoutes: RouteRegistrar = (app, services) => {
  addRoute<CreateBody, unknown, unknown>(app, {
    method: 'POST', url: '/v1/keys', operation: 'CreateKey', summary: 'Create a key and its first version.', status: 201,
    body: object({
      keySpec, keyUsage, description: str(LIMITS.descriptionMaxChars), tags, regions,
      rotationPeriodDays: int(LIMITS.rotationPeriodDaysMin, LIMITS.rotationPeriodDaysMax), idempotencyKey,
    }),
    response: keyMetadataResponse,
    handler: async ({ body, principal, reply }) => {
      const { record, created } = await services.controlPlane.createKey(body ?? {}, principal);
      reply.header('x-latchkey-created', String(created));
      return { keyMetadata: keyMetadata(record) };
    },
  });

  addRoute<unknown, unknown, { limit?: number; marker?: string }>(app, {
    method: 'GET', url: '/v1/keys', operation: 'ListKeys', summary: 'List keys, ordered by key id, a page at a time.',
    querystring: object({ limit: { type: 'string', pattern: '^[0-9]{1,4}$' }, marker: str(64) }),
    response: object({
      keys: { type: 'array', items: { type: 'object', properties: { keyId: { type: 'string' }, keyState: { type: 'string' } } } },
      nextMarker: { type: 'string' }, truncated: bool,
    }),
    handler: async ({ query }) => {
      const limit = query.limit === undefined ? LIMITS.listLimitDefault : Number(query.limit);
      if (limit < 1 || limit > LIMITS.listLimitMax) throw new LatchkeyError('ValidationException', `limit must be from 1 to ${LIMITS.listLimitMax}`);
      const page = await services.store.listKeys({ limit, marker: query.marker ?? null });
      const keys = page.items.filter((k) => k.keyState !== 'Destroyed').map((k) => ({ keyId: k.keyId, keyState: k.keyState }));
      return { keys, ...(page.nextMarker ? { nextMarker: page.nextMarker } : {}), truncated: page.nextMarker !== null };
    },
  });

  addRoute<unknown, KeyParams, unknown>(app, {
    method: 'GET', url: '/v1/keys/:keyId', operation: 'DescribeKey', summary: 'Describe a key.',
    params: keyIdParams, response: object({ keyMetadata: keyMetadataSchema, aliases: { type: 'array', items: { type: 'string' } } }),
    handler: ({ params }) => {
      const record = services.directory.resolve(params.keyId);
      return { keyMetadata: keyMetadata(record), aliases: services.directory.aliasesOf(record.keyId).map((a) => a.aliasName) };
    },
  });

  commandRoute(app, services, { method: 'POST', action: 'enable', operation: 'EnableKey', summary: 'Enable a key.', body: emptyBody, command: () => ({ type: 'enable' }) });
  commandRoute(app, services, { method: 'POST', action: 'disable', operation: 'DisableKey', summary: 'Disable a key.', body: emptyBody, command: () => ({ type: 'disable' }) });
  commandRoute<{ description: string }>(app, services, {
    method: 'PUT', action: 'description', operation: 'UpdateKeyDescription', summary: 'Replace the description.',
    body: object({ description: str(LIMITS.descriptionMaxChars) }, ['description']),
    command: (b) => ({ type: 'updateDescription', description: b.description }),
  });
  commandRoute<{ tags: Record<string, string> }>(app, services, {
    method: 'POST', action: 'tags', operation: 'TagResource', summary: 'Add or replace tags.',
    body: object({ tags }, ['tags']), command: (b) => ({ type: 'tag', tags: b.tags }),
  });
  commandRoute<{ tagKeys: string[] }>(app, services, {
    method: 'POST', action: 'untag', operation: 'UntagResource', summary: 'Remove tags by key.',
    body: object({ tagKeys: { type: 'array', maxItems: LIMITS.tagsMax, items: str(LIMITS.tagKeyMaxChars, 1) } }, ['tagKeys']),
    command: (b) => ({ type: 'untag', tagKeys: b.tagKeys }),
  });
  commandRoute<{ pendingWindowDays?: number }>(app, services, {
    method: 'POST', action: 'schedule-deletion', operation: 'ScheduleKeyDeletion', summary: 'Schedule destruction after a 7 to 30 day window.',
    body: object({ pendingWindowDays: int(LIMITS.pendingWindowDaysMin, LIMITS.pendingWindowDaysMax) }),
    command: (b) => ({ type: 'scheduleDeletion', pendingWindowDays: b.pendingWindowDays ?? LIMITS.pendingWindowDaysDefault }),
  });
  commandRoute(app, services, {
    method: 'POST', action: 'cancel-deletion', operation: 'CancelKeyDeletion', summary: 'Cancel a scheduled deletion; the key comes back disabled.',
    body: emptyBody, command: () => ({ type: 'cancelDeletion' }),
  });
  commandRoute<{ idempotencyKey?: string }>(app, services, {
    method: 'POST', action: 'rotate', operation: 'RotateKeyOnDemand', summary: 'Add a new current version now.',
    body: object({ idempotencyKey }), command: () => ({ type: 'rotate', rotationType: 'ON_DEMAND' }),
  });
  commandRoute<{ enabled: boolean; rotationPeriodDays?: number }>(app, services, {
    method: 'PUT', action: 'rotation', operation: 'SetKeyRotation', summary: 'Turn automatic rotation on (with a period) or off.',
    body: object({ enabled: bool, rotationPeriodDays: int(LIMITS.rotationPeriodDaysMin, LIMITS.rotationPeriodDaysMax) }, ['enabled']),
    command: (b) => (b.enabled
      ? { type: 'enableRotation', rotationPeriodDays: b.rotationPeriodDays ?? LIMITS.rotationPeriodDaysDefault }
      : { type: 'disableRotation' }),
  });
  commandRoute<{ minDecryptionVersion: number }>(app, services, {
    method: 'PUT', action: 'min-decryption-version', operation: 'SetMinDecryptionVersion', summary: 'Retire versions below this one for decryption.',
    body: object({ minDecryptionVersion: int(1, 1_000_000) }, ['minDecryptionVersion']),
    command: (b) => ({ type: 'setMinDecryptionVersion', minDecryptionVersion: b.minDecryptionVersion }),
  });

  commandRoute<{ regions: string[] | null }>(app, services, {
    method: 'PUT', action: 'regions', operation: 'UpdateKeyRegions', summary: 'Replace the region pinning policy (null: every region); added regions get re-wrapped material, removed ones erase theirs.',
    body: object({ regions }, ['regions']),
    command: (b) => ({ type: 'setRegions', regions: b.regions }),
  });

  addRoute<unknown, KeyParams, unknown>(app, {
    method: 'GET', url: '/v1/keys/:keyId/tags', operation: 'ListResourceTags', summary: "A key's tags.",
    params: keyIdParams, response: object({ tags: { type: 'object', additionalProperties: { type: 'string' } } }),
    handler: ({ params }) => ({ tags: services.directory.resolve(params.keyId).tags }),
  });

  addRoute<unknown, KeyParams, unknown>(app, {
    method: 'GET', url: '/v1/keys/:keyId/rotations', operation: 'ListKeyRotations', summary: 'Versions added by rotation.',
    params: keyIdParams,
    response: object({ rotations: { type: 'array', items: { type: 'object', properties: { keyVersion: { type: 'integer' }, rotationDate: { type: 'string' }, rotationType: { type: 'string' } } } } }),
    handler: ({ params }) => ({
      rotations: services.directory.resolve(params.keyId).versions
        .filter((v) => v.rotationType !== 'INITIAL')
        .map((v) => ({ keyVersion: v.keyVersion, rotationDate: new Date(v.creationDateMs).toISOString(), rotationType: v.rotationType })),
    }),
  });

  addRoute<unknown, KeyParams, unknown>(app, {
    method: 'GET', url: '/v1/keys/:keyId/rotation', operation: 'GetKeyRotationStatus', summary: 'Whether and when the key rotates.',
    params: keyIdParams,
    response: object({ keyId: { type: 'string' }, keyRotationEnabled: bool, rotationPeriodDays: { type: 'integer' }, nextRotationDate: { type: 'string' } }),
    handler: ({ params }) => {
      const record = services.directory.resolve(params.keyId);
      return {
        keyId: record.keyId,
        keyRotationEnabled: record.rotationEnabled,
        ...(record.rotationPeriodDays !== null ? { rotationPeriodDays: record.rotationPeriodDays } : {}),
        ...(record.nextRotationDateMs !== null ? { nextRotationDate: new Date(record.nextRotationDateMs).toISOString() } : {}),
      };
    },
  });
};
