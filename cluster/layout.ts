/**
 * Where everything lives under the base folder. One place, so that up, status, down, the README
 * and chaos scripts agree on the layout:
 *
 *   <base>/.latchkey-cluster        marker: this folder was made by cluster:up (purge checks it)
 *   <base>/manifest.json            0600, written last by up, removed by down
 *   <base>/starting.json            0600, pids started so far while up runs (for down after a crash)
 *   <base>/cluster.json             0644, pinned region public keys and stream replicas
 *   <base>/nats/<region>/           nats.conf (0600: it holds passwords), nats.log, jetstream/
 *   <base>/nodes/<region>/          the node's data folder and node.log
 */
import { join } from 'node:path';

export const MARKER_FILE = '.latchkey-cluster';

export interface RegionPaths {
  readonly natsDir: string;
  readonly natsConfigPath: string;
  readonly natsLogPath: string;
  readonly natsStoreDir: string;
  readonly dataDir: string;
  readonly nodeLogPath: string;
  readonly adminTokenPath: string;
}

export const markerPath = (base: string): string => join(base, MARKER_FILE);
export const manifestPath = (base: string): string => join(base, 'manifest.json');
export const startingPath = (base: string): string => join(base, 'starting.json');
export const clusterFilePath = (base: string): string => join(base, 'cluster.json');

export function regionPaths(base: string, region: string): RegionPaths {
  const natsDir = join(base, 'nats', region);
  const dataDir = join(base, 'nodes', region);
  return {
    natsDir,
    natsConfigPath: join(natsDir, 'nats.conf'),
    natsLogPath: join(natsDir, 'nats.log'),
    natsStoreDir: join(natsDir, 'jetstream'),
    dataDir,
    nodeLogPath: join(dataDir, 'node.log'),
    // The node writes its admin token here on first start (see the node's README).
    adminTokenPath: join(dataDir, 'admin.token'),
  };
}
