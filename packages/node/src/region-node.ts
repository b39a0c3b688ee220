/**
 * The composition root of a region node: opens the root of trust and the store, builds the
 * control plane, data plane, lifecycle manager and HTTP app, and starts serving. Everything
 * nondeterministic (clock, ids) and every I/O edge (store, log destination) can be passed in.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Clock, IdSource } from '@latchkey/core';
import { loadOrCreateRootKeyFile, rootKeyFromBase64, type RootKey } from '@latchkey/crypto';
import { createLevelKeyStore, type KeyStore } from '@latchkey/storage';
import type { DestinationStream, Logger } from 'pino';
import { bootstrapAdminToken } from './admin-bootstrap.ts';
import type { NodeConfig } from './config.ts';
import { ControlPlane } from './control-plane.ts';
import { DataPlane } from './data-plane.ts';
import { createApp } from './http/app.ts';
import { collectRoutes, openApiDocument } from './http/openapi.ts';
import { registerAliasRoutes } from './http/routes/alias-routes.ts';
import { registerBatchRoutes } from './http/routes/batch-routes.ts';
import { registerCryptoRoutes } from './http/routes/crypto-routes.ts';
import { registerKeyRoutes } from './http/routes/key-routes.ts';
import { registerOperationsRoutes } from './http/routes/operations-routes.ts';
import type { NodeServices } from './http/routes/services.ts';
import { registerTokenRoutes } from './http/routes/token-routes.ts';
import { KeyDirectory } from './key-directory.ts';
import { LifecycleManager } from './lifecycle-manager.ts';
import { createRootLogger } from './logger.ts';
import { MaterialCache } from './material-cache.ts';
import { createMetrics } from './metrics.ts';
import { TokenRegistry } from './token-registry.ts';

export const LATCHKEY_VERSION = '0.1.0';

export interface RegionNodeOptions {
  readonly config: NodeConfig;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly logDestination?: DestinationStream;
  readonly knownRegions?: readonly string[];
  /** Process-wide default metrics (event loop, memory); off when several nodes share a process. */
  readonly defaultMetrics?: boolean;
  /** Start the lifecycle timer (tests drive `lifecycle.tick()` themselves). */
  readonly lifecycleTimer?: boolean;
}

export interface RegionNode {
  readonly config: NodeConfig;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly log: Logger;
  readonly controlPlane: ControlPlane;
  readonly lifecycle: LifecycleManager;
  readonly adminTokenCreated: boolean;
  close(): Promise<void>;
}

const systemClock: Clock = { nowMs: () => Date.now() };
const systemIds: IdSource = { newKeyId: () => randomUUID() };

async function openRootKey(config: NodeConfig): Promise<RootKey> {
  if (config.rootKeyBase64 !== null) return rootKeyFromBase64(config.rootKeyBase64);
  return (await loadOrCreateRootKeyFile(config.rootKeyFile)).rootKey;
}

export async function startRegionNode(options: RegionNodeOptions): Promise<RegionNode> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = createRootLogger({ level: config.logLevel, region: config.region, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const rootKey = await openRootKey(config);
  const store: KeyStore = createLevelKeyStore({ path: path.join(config.dataDir, 'store') });
  await store.open();
  try {
    return await assemble({ options, clock, log, rootKey, store });
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function assemble(parts: { options: RegionNodeOptions; clock: Clock; log: Logger; rootKey: RootKey; store: KeyStore }): Promise<RegionNode> {
  const { options, clock, log, rootKey, store } = parts;
  const { config } = options;
  const directory = await KeyDirectory.load(store);
  const tokens = new TokenRegistry(await store.listTokens());
  const cache = new MaterialCache(store, rootKey);
  const controlPlane = new ControlPlane({
    region: config.region, knownRegions: options.knownRegions ?? [config.region], store, directory, cache, tokens, rootKey, clock,
    ids: options.ids ?? systemIds,
  });
  const dataPlane = new DataPlane({ region: config.region, directory, cache, store });
  const lifecycle = new LifecycleManager({ directory, controlPlane, clock, log: log.child({ component: 'lifecycle' }) });
  const adminTokenCreated = await bootstrapAdminToken({ tokens, controlPlane, adminTokenFile: config.adminTokenFile });
  if (adminTokenCreated) log.info({ adminTokenFile: config.adminTokenFile }, 'created the first admin token; it is in this file (mode 0600)');
  log.info({ rootKeyFingerprint: rootKey.fingerprint, keys: directory.countByState() }, 'store opened');

  const metrics = createMetrics({ region: config.region, directory, defaultMetrics: options.defaultMetrics ?? true });
  const app = createApp({ log, tokens, metrics, bodyLimitBytes: config.bodyLimitBytes });
  const routes = collectRoutes(app);
  let serving = false;
  const services: NodeServices = {
    region: config.region, controlPlane, dataPlane, directory, store, tokens, metrics, lifecycle,
    batchBodyLimitBytes: config.batchBodyLimitBytes, isReady: () => serving,
  };
  for (const register of [registerOperationsRoutes, registerKeyRoutes, registerCryptoRoutes, registerBatchRoutes, registerAliasRoutes, registerTokenRoutes]) {
    register(app, services);
  }
  app.get('/v1/openapi.json', { config: { operation: 'OpenApi', access: 'open', summary: 'This document.' } }, async () =>
    openApiDocument(routes, { version: LATCHKEY_VERSION }));

  const address = await app.listen({ host: config.host, port: config.port });
  serving = true;
  if (options.lifecycleTimer ?? true) lifecycle.start(config.lifecycleIntervalMs);
  log.info({ url: address }, 'region node serving');

  return {
    config, app, url: address, log, controlPlane, lifecycle, adminTokenCreated,
    async close() {
      serving = false;
      lifecycle.stop();
      await app.close();
      await store.close();
    },
  };
}
