/**
 * cluster:up, as a function: checks, identities, NATS, nodes, token, manifest. Any failure stops
 * whatever this run started, so that a failed `up` leaves no process behind; the folders stay for
 * the logs.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ClusterError } from './cluster-error.ts';
import { buildClusterFile, readClusterFileIfAny, streamReplicasFor, writeClusterFile, type RegionIdentity } from './cluster-file.ts';
import { clusterFilePath, markerPath, regionPaths } from './layout.ts';
import { inspectBase } from './liveness.ts';
import { removeManifest, writeManifest, type Manifest } from './manifest.ts';
import { ensureNatsServer } from './nats-binary.ts';
import { NATS_CLIENT_USER } from './nats-config.ts';
import { startNatsServers, type RunningNats } from './nats-servers.ts';
import { initRegion } from './node-identity.ts';
import { startRegionNodes, type NodeLaunch, type RunningNode } from './region-nodes.ts';
import { StartedProcesses } from './started-processes.ts';

export interface StartClusterOptions {
  readonly regions: readonly string[];
  /** Absolute. */
  readonly base: string;
  readonly log: (line: string) => void;
  /** Defaults: this Node binary, packages/node/src/main.ts (or $LATCHKEY_CLUSTER_NODE_ENTRY), the repository root. */
  readonly launch?: Partial<NodeLaunch>;
  readonly timeouts?: { readonly natsMs?: number; readonly nodesMs?: number; readonly tokenMs?: number; readonly initMs?: number };
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export function defaultLaunch(overrides: Partial<NodeLaunch> = {}): NodeLaunch {
  return {
    // The Node that runs this tool: Node 24 under `pnpm exec node`, which the node needs too.
    execPath: overrides.execPath ?? process.execPath,
    nodeEntry: overrides.nodeEntry ?? process.env.LATCHKEY_CLUSTER_NODE_ENTRY ?? `${REPO_ROOT}/packages/node/src/main.ts`,
    repoRoot: overrides.repoRoot ?? REPO_ROOT,
  };
}

/** Hex: safe inside a URL (route credentials) and a config string without escaping. */
const newSecret = (): string => randomBytes(24).toString('hex');

async function refuseIfRunning(base: string, log: (line: string) => void): Promise<void> {
  const state = await inspectBase(base);
  if (state.alive.length > 0) {
    const list = state.alive.map((p) => `${p.label} (pid ${p.pid})`).join(', ');
    throw new ClusterError(
      `a cluster is already running at ${base}: ${list}.\n` +
        `  inspect it: pnpm cluster:status --base ${base}\n  stop it:    pnpm cluster:down --base ${base}`,
    );
  }
  if (state.manifest) {
    log(`found a manifest from ${state.manifest.createdAt} with no process alive; starting again on the same data`);
    // Until the new one is written, nobody should act on the old pids and URLs.
    await removeManifest(base);
  }
}

async function refuseOtherRegions(base: string, regions: readonly string[]): Promise<void> {
  const previous = await readClusterFileIfAny(clusterFilePath(base));
  if (!previous) return;
  const before = Object.keys(previous.regions ?? {});
  if (before.join(',') !== regions.join(',')) {
    throw new ClusterError(
      `${base} holds data of a cluster with regions ${before.join(',')}, not ${regions.join(',')}; ` +
        `its JetStream stores and node data would not fit. Use --regions ${before.join(',')}, another --base, ` +
        `or wipe it with pnpm cluster:down --base ${base} --purge`,
    );
  }
}

async function prepareBase(base: string): Promise<void> {
  await mkdir(base, { recursive: true, mode: 0o700 });
  // The marker lets `down --purge` delete only folders this tool made; the .gitignore keeps a
  // base inside a work tree out of commits (it holds secrets).
  await writeFile(markerPath(base), 'made by latchkey cluster:up; `pnpm cluster:down --purge` deletes this folder\n');
  await writeFile(`${base}/.gitignore`, '*\n');
}

async function checkEntry(launch: NodeLaunch): Promise<void> {
  try {
    await access(launch.nodeEntry);
  } catch {
    throw new ClusterError(`the region node entry ${launch.nodeEntry} does not exist`);
  }
}

async function initIdentities(options: StartClusterOptions, launch: NodeLaunch): Promise<RegionIdentity[]> {
  const previous = await readClusterFileIfAny(clusterFilePath(options.base));
  const identities = await Promise.all(
    options.regions.map((region) =>
      initRegion({ region, dataDir: regionPaths(options.base, region).dataDir, ...launch, timeoutMs: options.timeouts?.initMs ?? 30_000 }),
    ),
  );
  for (const id of identities) {
    const pinned = previous?.regions?.[id.region];
    if (pinned && (pinned.transportPublicKey !== id.transportPublicKey || pinned.signingPublicKey !== id.signingPublicKey)) {
      options.log(`warning: region ${id.region} has new keys since the last run (its data folder was reset); pinning the new ones`);
    }
  }
  return identities;
}

function buildManifest(options: StartClusterOptions, launch: NodeLaunch, nats: readonly RunningNats[], nodes: readonly RunningNode[], extra: { adminToken: string; natsPassword: string; natsBinary: string }): Manifest {
  return {
    regions: options.regions.map((name) => {
      const server = nats.find((s) => s.plan.region === name)!;
      const node = nodes.find((n) => n.region === name)!;
      return {
        name,
        url: node.url,
        natsUrl: server.clientUrl,
        pid: node.proc.pid,
        natsPid: server.proc.pid,
        dataDir: node.paths.dataDir,
        natsMonitorUrl: server.monitorUrl,
        natsClusterPort: nats.length > 1 ? server.plan.clusterPort : null,
        natsLogPath: server.paths.natsLogPath,
        nodeLogPath: node.paths.nodeLogPath,
        natsConfigPath: server.paths.natsConfigPath,
        nodeEnv: node.env,
      };
    }),
    adminToken: extra.adminToken,
    natsUser: NATS_CLIENT_USER,
    natsPassword: extra.natsPassword,
    base: options.base,
    createdAt: new Date().toISOString(),
    streamReplicas: streamReplicasFor(options.regions.length),
    clusterFile: clusterFilePath(options.base),
    nodeExecPath: launch.execPath,
    nodeEntry: launch.nodeEntry,
    repoRoot: launch.repoRoot,
    natsBinary: extra.natsBinary,
  };
}

export async function startCluster(options: StartClusterOptions): Promise<Manifest> {
  const { base, regions, log } = options;
  const launch = defaultLaunch(options.launch);
  await refuseIfRunning(base, log);
  await refuseOtherRegions(base, regions);
  const natsBinary = ensureNatsServer(log);
  await checkEntry(launch);
  await prepareBase(base);

  // Identities first: they need no server, so a node without `init` fails before anything runs.
  log(`initialising region identities: ${regions.join(', ')}`);
  const identities = await initIdentities(options, launch);
  await writeClusterFile(clusterFilePath(base), buildClusterFile(identities));

  const started = new StartedProcesses(base);
  const interrupted = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping what was started`);
    void started.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const natsPassword = newSecret();
    const usedPorts = new Set<number>();
    log(`starting nats-server ${natsBinary} for ${regions.join(', ')}`);
    const nats = await startNatsServers({
      base, regions, binary: natsBinary, clientPassword: natsPassword, routePassword: newSecret(), started, usedPorts, log,
      ...(options.timeouts?.natsMs ? { readyTimeoutMs: options.timeouts.natsMs } : {}),
    });
    log(`starting region node ${regions[0]} first (its admin token becomes the deployment's), then the others`);
    const { nodes, adminToken } = await startRegionNodes({
      base, launch, regions, started, usedPorts, log,
      env: { natsUrls: nats.map((s) => ({ region: s.plan.region, url: s.clientUrl })), natsPassword, clusterFile: clusterFilePath(base) },
      ...(options.timeouts?.nodesMs ? { readyTimeoutMs: options.timeouts.nodesMs } : {}),
      ...(options.timeouts?.tokenMs ? { tokenTimeoutMs: options.timeouts.tokenMs } : {}),
    });
    const manifest = buildManifest(options, launch, nats, nodes, { adminToken, natsPassword, natsBinary });
    await writeManifest(manifest);
    await started.forget();
    return manifest;
  } catch (error) {
    const left = await started.stopAll();
    const note = left.length > 0 ? `\n(could not stop: ${left.map((p) => `${p.label} pid ${p.pid}`).join(', ')})` : '\n(stopped everything this run had started; logs are kept under the base folder)';
    if (error instanceof ClusterError) throw new ClusterError(`${error.message}${note}`, error.exitCode);
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}
