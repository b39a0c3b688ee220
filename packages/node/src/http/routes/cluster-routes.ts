/**
 * Cluster introspection: replication status (applied sequence, pending, lag) and state digests so
 * that anyone can check from outside that regions agree.
 */
import { addRoute } from '../route.ts';
import { bool, object } from '../schemas.ts';
import type { RouteRegistrar } from './services.ts';

const num = { type: ['number', 'null'] };

export const registerClusterRoutes: RouteRegistrar = (app, services) => {
  addRoute(app, {
    method: 'GET', url: '/v1/cluster/status', operation: 'ClusterStatus', summary: 'Replication status of this region.',
    response: object({
      region: { type: 'string' }, mode: { type: 'string' }, connected: bool, streamReachable: bool, appliedSeq: { type: 'integer' }, streamLastSeq: num,
      pending: num, lagSeconds: { type: 'number' }, consumerResets: { type: 'integer' }, regions: { type: 'array', items: { type: 'string' } },
      unconfirmedKeys: { type: 'integer' }, divergentKeys: { type: 'integer' }, repairs: { type: 'integer' },
    }),
    handler: async () => ({ region: services.region, regions: services.cluster.regionNames, ...(await services.changeLog.status()) }),
  });

  addRoute(app, {
    method: 'GET', url: '/v1/cluster/digest', operation: 'ClusterDigest', summary: 'Digest of every key, alias and token state held here.',
    response: object({
      region: { type: 'string' }, appliedSeq: { type: 'integer' }, digest: { type: 'string' },
      keys: { type: 'object', additionalProperties: { type: 'string' } },
      keyVersions: { type: 'object', additionalProperties: { type: 'integer' } },
      aliases: { type: 'integer' }, tokens: { type: 'integer' }, credentials: { type: 'integer' }, unconfirmedKeys: { type: 'integer' },
    }),
    handler: async () => {
      const { unconfirmedKeys } = await services.changeLog.status();
      return { region: services.region, appliedSeq: services.applier.appliedSeq, ...services.stateDigest(), unconfirmedKeys };
    },
  });
};
