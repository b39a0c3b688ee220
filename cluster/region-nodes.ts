/**
 * Steps 6-7 of cluster:up: one region node per region, started detached, waited for until
 * `GET /readyz` answers 200, and the first region's admin token, waited for until every region
 * accepts it (tokens reach the other regions through the stream).
 */
import { readFile } from 'node:fs/promises';
import { ClusterError } from './cluster-error.ts';
import { probe } from './http-probe.ts';
import { regionPaths, type RegionPaths } from './layout.ts';
import { LOOPBACK } from './nats-config.ts';
import { nodeBaseEnv, nodeEnv, type NodeEnvInput } from './node-env.ts';
import { allocatePorts } from './ports.ts';
import { logTail, sleep, spawnDetached, type DetachedProcess } from './processes.ts';
import type { StartedProcesses } from './started-processes.ts';

export interface NodeLaunch {
  readonly execPath: string;
  readonly nodeEntry: string;
  readonly repoRoot: string;
}

export interface RunningNode {
  readonly region: string;
  readonly url: string;
  readonly paths: RegionPaths;
  readonly env: Readonly<Record<string, string>>;
  proc: DetachedProcess;
}

export interface StartNodesOptions {
  readonly base: string;
  readonly launch: NodeLaunch;
  readonly env: Omit<NodeEnvInput, 'region' | 'port' | 'dataDir'>;
  readonly regions: readonly string[];
  readonly started: StartedProcesses;
  readonly usedPorts: Set<number>;
  readonly readyTimeoutMs?: number;
  readonly tokenTimeoutMs?: number;
  readonly log: (line: string) => void;
}

/** Starts one node detached. Exported for chaos scripts that restart a node from the manifest. */
export function spawnRegionNode(launch: NodeLaunch, env: Readonly<Record<string, string>>, logPath: string): DetachedProcess {
  return spawnDetached(launch.execPath, [launch.nodeEntry], { cwd: launch.repoRoot, env: { ...nodeBaseEnv(process.env), ...env }, logPath });
}

const PORT_ATTEMPTS = 3;

async function startNode(options: StartNodesOptions, region: string): Promise<RunningNode> {
  const [port] = await allocatePorts(1, options.usedPorts);
  options.usedPorts.add(port!);
  const paths = regionPaths(options.base, region);
  const env = nodeEnv({ ...options.env, region, port: port!, dataDir: paths.dataDir });
  const proc = spawnRegionNode(options.launch, env, paths.nodeLogPath);
  await options.started.add({ role: 'node', pid: proc.pid, needle: options.launch.nodeEntry, label: `node ${region}` });
  return { region, url: `http://${LOOPBACK}:${port!}`, paths, env, proc };
}

/** Waits for one node; restarts it on a fresh port when its port was taken under it. */
async function waitNode(options: StartNodesOptions, node: RunningNode, deadline: number): Promise<RunningNode> {
  for (let attempt = 1; ; ) {
    if (node.proc.exit !== null) {
      const tail = await logTail(node.paths.nodeLogPath);
      if (/EADDRINUSE/.test(tail) && attempt < PORT_ATTEMPTS) {
        attempt++;
        await options.started.drop(node.proc.pid);
        options.log(`node ${node.region}: its port was taken; retrying on a fresh port`);
        node = await startNode(options, node.region);
        continue;
      }
      throw new ClusterError(`node ${node.region} exited during start-up (${node.proc.exit}); ${node.paths.nodeLogPath} ends with:\n${tail}`);
    }
    const ready = await probe(`${node.url}/readyz`);
    if (ready.status === 200) return node;
    if (Date.now() > deadline) {
      const seen = ready.status === 0 ? ready.error : `${ready.status} ${JSON.stringify(ready.body)}`;
      throw new ClusterError(`node ${node.region} not ready (GET ${node.url}/readyz: ${seen}); ${node.paths.nodeLogPath} ends with:\n${await logTail(node.paths.nodeLogPath)}`);
    }
    await sleep(250);
  }
}

async function startAndWait(options: StartNodesOptions, regions: readonly string[], deadline: number): Promise<RunningNode[]> {
  const nodes: RunningNode[] = [];
  for (const region of regions) nodes.push(await startNode(options, region));
  // allSettled: report every node's failure, not only the first.
  const results = await Promise.allSettled(nodes.map((node) => waitNode(options, node, deadline)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length > 0) throw new ClusterError(failures.map((f) => f.message).join('\n\n'));
  return results.map((r) => (r as PromiseFulfilledResult<RunningNode>).value);
}

/**
 * The first region starts alone and creates the deployment's admin token; the others start once
 * that token is committed, so that they catch up, adopt it and create none of their own (a brand-new
 * node that finds no token after catching up makes one). Answers the nodes and the token.
 */
export async function startRegionNodes(options: StartNodesOptions): Promise<{ nodes: RunningNode[]; adminToken: string }> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const [firstRegion, ...others] = options.regions;
  const first = await startAndWait(options, [firstRegion!], Date.now() + timeoutMs);
  const adminToken = await waitForAdminToken(first, first[0]!.paths.adminTokenPath, options.tokenTimeoutMs);
  if (others.length > 0) options.log(`admin token of ${firstRegion} accepted there; starting ${others.join(', ')}`);
  const rest = await startAndWait(options, others, Date.now() + timeoutMs);
  const nodes = [...first, ...rest];
  await waitForAdminToken(nodes, first[0]!.paths.adminTokenPath, options.tokenTimeoutMs);
  return { nodes, adminToken };
}

/** Reads the token file once it exists and waits until every node accepts it (`GET /v1/whoami`). */
export async function waitForAdminToken(nodes: readonly RunningNode[], tokenPath: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let token = '';
  let pending = [...nodes];
  let lastSeen = new Map<string, string>();
  while (Date.now() <= deadline) {
    if (token === '') token = (await readFile(tokenPath, 'utf8').catch(() => '')).trim();
    if (token !== '') {
      const answers = await Promise.all(pending.map((n) => probe(`${n.url}/v1/whoami`, { token })));
      lastSeen = new Map(pending.map((n, i) => [n.region, answers[i]!.status === 0 ? answers[i]!.error! : `${answers[i]!.status}`]));
      pending = pending.filter((_, i) => answers[i]!.status !== 200);
      if (pending.length === 0) return token;
    }
    await sleep(250);
  }
  if (token === '') {
    const first = nodes[0]!;
    throw new ClusterError(`node ${first.region} wrote no admin token to ${tokenPath} within ${timeoutMs / 1000} s; ${first.paths.nodeLogPath} ends with:\n${await logTail(first.paths.nodeLogPath)}`);
  }
  const detail = pending.map((n) => `${n.region} (GET /v1/whoami: ${lastSeen.get(n.region) ?? 'not asked'}; log ${n.paths.nodeLogPath})`).join(', ');
  throw new ClusterError(`the admin token in ${tokenPath} was not accepted within ${timeoutMs / 1000} s by: ${detail}`);
}
