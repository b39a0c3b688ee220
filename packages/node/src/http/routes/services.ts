/** What the routes may use: the node's services, handed in by the composition root. */
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control-plane.ts';
import type { DataPlane } from '../../data-plane.ts';
import type { KeyDirectory } from '../../key-directory.ts';
import type { LifecycleManager } from '../../lifecycle-manager.ts';
import type { NodeMetrics } from '../../metrics.ts';
import type { TokenRegistry } from '../../token-registry.ts';
import type { KeyStore } from '@latchkey/storage';
import type { ChangeApplier } from '../../change-applier.ts';
import type { ChangeLog } from '../../change-log.ts';
import type { ClusterConfig } from '../../cluster-config.ts';
import type { stateDigest } from '../../state-digest.ts';

export interface NodeServices {
  readonly region: string;
  readonly controlPlane: ControlPlane;
  readonly dataPlane: DataPlane;
  readonly directory: KeyDirectory;
  readonly store: KeyStore;
  readonly tokens: TokenRegistry;
  readonly metrics: NodeMetrics;
  readonly lifecycle: LifecycleManager;
  readonly batchBodyLimitBytes: number;
  readonly cluster: ClusterConfig;
  readonly changeLog: ChangeLog;
  readonly applier: ChangeApplier;
  stateDigest(): ReturnType<typeof stateDigest>;
  /** Tells readiness: storage open and serving. */
  isReady(): boolean;
}

export type RouteRegistrar = (app: FastifyInstance, services: NodeServices) => void;
