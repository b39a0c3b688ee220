/**
 * The composition root of a region node: opens the root of trust and the store, builds the
 * control plane, data plane, lifecycle manager and HTTP app, and starts serving. Everything
 * nondeterministic (clock, ids) and every I/O edge (store, log destination) can be passed in.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { dueLifecycleCommands, type Clock, type IdSource } from '@latchkey/core';
import { loadOrCreateRootKeyFile, rootKeyFromBase64, type RootKey } from '@latchkey/crypto';
import { createLevelKeyStore, type KeyStore } from '@latchkey/storage';
import type { DestinationStream, Logger } from 'pino';
import { bootstrapAdminToken } from './admin-bootstrap.ts';
import { registerAwsEndpoint } from './http/aws/aws-endpoint.ts';
import { AwsCredentialRegistry } from './http/aws/credential-registry.ts';
import { registerCredentialRoutes } from './http/aws/credential-routes.ts';
import { ChangeApplier } from './change-applier.ts';
import { StandaloneChangeLog, type ChangeLog } from './change-log.ts';
import { JetStreamChangeLog } from './change-log-jetstream.ts';
import { readClusterFile, standaloneCluster, type ClusterConfig } from './cluster-config.ts';
import { registerClusterRoutes } from './http/routes/cluster-routes.ts';
import { deriveRegionIdentity, type RegionIdentity } from './region-identity.ts';
import { registerReplicationMetrics } from './replication-metrics.ts';
import { stateDigest } from './state-digest.ts';
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
  /** Process-wide default metrics (event loop, memory); off when several nodes share a process. */
  readonly defaultMetrics?: boolean;
  /** Start the lifecycle timer (tests drive `lifecycle.tick()` themselves). */
  readonly lifecycleTimer?: boolean;
  /** The store failed under the applier: state in memory is ahead of disk, so the process must restart. */
  readonly onFatal?: (error: unknown) => void;
}

export interface RegionNode {
  readonly config: NodeConfig;
  readonly app: FastifyInstance;
  readonly url: string;
  /** The AWS KMS-compatible endpoint: the same port as the native API (POST / with X-Amz-Target). */
  readonly awsUrl: string;
  readonly log: Logger;
  readonly controlPlane: ControlPlane;
  readonly lifecycle: LifecycleManager;
  readonly changeLog: ChangeLog;
  readonly applier: ChangeApplier;
  /** The region's store and key directory (for tools and tests that work beside the node). */
  readonly store: KeyStore;
  readonly directory: KeyDirectory;
  /** Resolves once an admin token exists here (at once when the store already has tokens). */
  readonly bootstrapped: Promise<boolean>;
  close(): Promise<void>;
}

const systemClock: Clock = { nowMs: () => Date.now() };
const systemIds: IdSource = { newKeyId: () => randomUUID() };

async function openRootKey(config: NodeConfig): Promise<RootKey> {
  if (config.rootKeyBase64 !== null) return rootKeyFromBase64(config.rootKeyBase64);
  return (await loadOrCreateRootKeyFile(config.rootKeyFile)).rootKey;
}

/** What `main.ts init` does: create the root key if missing and tell the region's public identity. */
export async function initRegion(config: NodeConfig): Promise<{ region: string; transportPublicKey: string; signingPublicKey: string }> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const rootKey = await openRootKey(config);
  const identity = deriveRegionIdentity(rootKey, config.region);
  return {
    region: identity.region,
    transportPublicKey: Buffer.from(identity.transportPublicKey).toString('base64'),
    signingPublicKey: Buffer.from(identity.signingPublicKey).toString('base64'),
  };
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

interface Parts {
  readonly options: RegionNodeOptions;
  readonly clock: Clock;
  readonly log: Logger;
  readonly rootKey: RootKey;
  readonly store: KeyStore;
}

async function createChangeLog(parts: {
  config: NodeConfig; applier: ChangeApplier; identity: RegionIdentity; cluster: ClusterConfig; log: Logger; rootKey: RootKey; store: KeyStore; directory: KeyDirectory;
}): Promise<ChangeLog> {
  const { config, applier, log } = parts;
  if (config.natsUrls === null) return new StandaloneChangeLog(applier, systemClock);
  const replicated = new JetStreamChangeLog({
    ...parts, wallClock: systemClock, log: log.child({ component: 'replication' }),
    options: {
      servers: config.natsUrls, streamName: config.streamName, publishTimeoutMs: config.publishTimeoutMs, applyTimeoutMs: config.applyTimeoutMs,
      ...(config.natsUser ? { user: config.natsUser, pass: config.natsPassword ?? '' } : {}),
    },
  });
  await replicated.start();
  return replicated;
}

/**
 * A brand-new region first catches up with the stream, so that it adopts the deployment's tokens;
 * only if there are none does it create the first admin token. A stream that has just been created
 * may not have a leader yet, so creation is retried until it lands or the node closes.
 */
async function bootstrapWhenCaughtUp(parts: { changeLog: ChangeLog; tokens: TokenRegistry; controlPlane: ControlPlane; config: NodeConfig; log: Logger; closed: () => boolean }): Promise<boolean> {
  let delayMs = 200;
  while (!parts.closed()) {
    if (parts.tokens.size > 0) return false;
    const status = await parts.changeLog.status();
    if (status.connected && status.pending === 0) {
      try {
        const created = await bootstrapAdminToken({ tokens: parts.tokens, controlPlane: parts.controlPlane, adminTokenFile: parts.config.adminTokenFile });
        if (created) parts.log.info({ adminTokenFile: parts.config.adminTokenFile }, 'created the first admin token; it is in this file (mode 0600)');
        return created;
      } catch (error) {
        parts.log.warn({ err: (error as Error).message }, 'could not create the first admin token yet; retrying');
        delayMs = Math.min(delayMs * 2, 2000);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return false;
}

async function assemble(parts: Parts): Promise<RegionNode> {
  const { options, clock, log, rootKey, store } = parts;
  const { config } = options;
  const identity = deriveRegionIdentity(rootKey, config.region);
  const cluster = config.clusterFile ? await readClusterFile(config.clusterFile, identity) : standaloneCluster(identity);
  const directory = await KeyDirectory.load(store);
  const tokens = new TokenRegistry(await store.listTokens());
  const cache = new MaterialCache(store, rootKey);
  const credentials = await AwsCredentialRegistry.load(store, rootKey, log.child({ component: 'aws-credentials' }));
  const applier = await ChangeApplier.load({
    identity, cluster, rootKey, store, directory, cache, tokens, credentials, wallClock: systemClock, log: log.child({ component: 'applier' }),
    ...(options.onFatal ? { onFatal: options.onFatal } : {}),
  });
  const changeLog = await createChangeLog({ config, applier, identity, cluster, log, rootKey, store, directory });
  const controlPlane = new ControlPlane({
    region: config.region, cluster, store, directory, tokens, rootKey, clock, ids: options.ids ?? systemIds, applier, log: changeLog, credentials,
  });
  const dataPlane = new DataPlane({ region: config.region, directory, cache, store, replicated: changeLog.mode === 'replicated', isCurrent: () => changeLog.isCurrent(),
    servingVersion: (record) => changeLog.servingVersion(record), lookUp: (keyId) => changeLog.lookUp(keyId),
  });
  const lifecycle = new LifecycleManager({
    directory, clock, log: log.child({ component: 'lifecycle' }),
    run: (keyId, command) => controlPlane.runCommand(keyId, command, {
      stillWanted: (record) => dueLifecycleCommands(record, clock.nowMs()).some((due) => due.type === command.type),
    }),
  });
  log.info({ rootKeyFingerprint: rootKey.fingerprint, mode: changeLog.mode, regions: cluster.regionNames, keys: directory.countByState() }, 'store opened');

  const metrics = createMetrics({ region: config.region, directory, defaultMetrics: options.defaultMetrics ?? true });
  registerReplicationMetrics(metrics, applier, changeLog);
  const app = createApp({ log, tokens, metrics, bodyLimitBytes: config.bodyLimitBytes });
  const routes = collectRoutes(app);
  let serving = false;
  let closed = false;
  const services: NodeServices = {
    region: config.region, controlPlane, dataPlane, directory, store, tokens, metrics, lifecycle, cluster, changeLog, applier,
    batchBodyLimitBytes: config.batchBodyLimitBytes, isReady: () => serving && tokens.size > 0, stateDigest: () => stateDigest(directory, tokens, credentials),
  };
  for (const register of [registerOperationsRoutes, registerKeyRoutes, registerCryptoRoutes, registerBatchRoutes, registerAliasRoutes, registerTokenRoutes, registerClusterRoutes]) {
    register(app, services);
  }
  registerCredentialRoutes(app, services, credentials);
  registerAwsEndpoint(app, { services, credentials, accountId: config.awsAccountId, wallClock: systemClock });
  app.get('/v1/openapi.json', { config: { operation: 'OpenApi', access: 'open', summary: 'This document.' } }, async () =>
    openApiDocument(routes, { version: LATCHKEY_VERSION }));

  const address = await app.listen({ host: config.host, port: config.port });
  serving = true;
  const bootstrapped = bootstrapWhenCaughtUp({ changeLog, tokens, controlPlane, config, log, closed: () => closed });
  if (changeLog.mode === 'standalone') await bootstrapped;
  if (options.lifecycleTimer ?? true) lifecycle.start(config.lifecycleIntervalMs);
  log.info({ url: address }, 'region node serving');

  return {
    config, app, url: address, awsUrl: address, log, controlPlane, lifecycle, changeLog, applier, store, directory, bootstrapped,
    async close() {
      serving = false;
      closed = true;
      lifecycle.stop();
      await app.close();
      await changeLog.close();
      await store.close();
    },
  };
}
