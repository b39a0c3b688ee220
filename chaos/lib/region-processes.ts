/**
 * Acting on one region's processes, as the manifest names them: pause, kill, stop and start the
 * node or the NATS server identically to how cluster:up started them, and write a restarted
 * process's new pid back into the manifest, so that cluster:status and cluster:down keep working
 * after a chaos run. Every signal first checks that the pid is still our process (its command line
 * names the node entry or the server's config file): a reused pid is never signalled.
 */
import { dirname } from 'node:path';
import { probe, natsReady } from '../../cluster/http-probe.ts';
import { readManifest, writeManifest, type Manifest, type ManifestRegion } from '../../cluster/manifest.ts';
import { isOurProcessAlive, isStopped, logTail, sendSignal, sleep, spawnDetached, waitUntilGone } from '../../cluster/processes.ts';
import { spawnRegionNode } from '../../cluster/region-nodes.ts';
import { ChaosError } from './chaos-error.ts';

export type Role = 'node' | 'nats';

export interface RegionProcess {
  readonly role: Role;
  readonly region: string;
  readonly pid: number;
  readonly needle: string;
  readonly label: string;
}

export function regionProcess(manifest: Manifest, region: ManifestRegion, role: Role): RegionProcess {
  return role === 'node'
    ? { role, region: region.name, pid: region.pid, needle: manifest.nodeEntry, label: `node ${region.name}` }
    : { role, region: region.name, pid: region.natsPid, needle: region.natsConfigPath, label: `nats-server ${region.name}` };
}

export function requireAlive(proc: RegionProcess): void {
  if (!isOurProcessAlive(proc.pid, proc.needle)) {
    throw new ChaosError(`${proc.label} (pid ${proc.pid}) is not running; check pnpm cluster:status`);
  }
}

export async function pause(proc: RegionProcess): Promise<void> {
  requireAlive(proc);
  sendSignal(proc.pid, 'SIGSTOP');
  // The kernel delivers the stop asynchronously: /proc shows "T" a moment later, not at once.
  const deadline = Date.now() + 2000;
  while (!isStopped(proc.pid)) {
    if (Date.now() > deadline) throw new ChaosError(`${proc.label} (pid ${proc.pid}) did not stop on SIGSTOP`);
    await sleep(10);
  }
}

export function resume(proc: RegionProcess): void {
  // SIGCONT on a process that is gone or not ours would be wrong or pointless.
  if (!isOurProcessAlive(proc.pid, proc.needle)) throw new ChaosError(`${proc.label} (pid ${proc.pid}) is gone; it cannot be resumed`);
  sendSignal(proc.pid, 'SIGCONT');
}

/** SIGKILL (or SIGTERM, then SIGKILL after the grace time) and wait until the process is gone. */
export async function stop(proc: RegionProcess, how: 'SIGKILL' | 'SIGTERM', graceMs = 10_000): Promise<void> {
  requireAlive(proc);
  sendSignal(proc.pid, how);
  // A paused process acts on SIGTERM only once continued.
  if (how === 'SIGTERM') sendSignal(proc.pid, 'SIGCONT');
  if ((await waitUntilGone([proc], graceMs)).length === 0) return;
  sendSignal(proc.pid, 'SIGKILL');
  if ((await waitUntilGone([proc], 5_000)).length > 0) throw new ChaosError(`${proc.label} (pid ${proc.pid}) did not exit`);
}

/** Rewrites one region's pid fields in the manifest on disk (re-read first: it is the source of truth). */
export async function recordPid(base: string, regionName: string, patch: { pid?: number; natsPid?: number }): Promise<Manifest> {
  const manifest = await readManifest(base);
  const regions = manifest.regions.map((r) => (r.name === regionName ? { ...r, ...patch } : r));
  const updated = { ...manifest, regions };
  await writeManifest(updated);
  return updated;
}

async function waitFor(what: string, check: () => Promise<string | null>, exited: () => string | null, timeoutMs: number, logPath: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not asked yet';
  for (;;) {
    const gone = exited();
    if (gone !== null) throw new ChaosError(`${what} exited while starting (${gone}); ${logPath} ends with:\n${await logTail(logPath, 15)}`);
    const problem = await check();
    if (problem === null) return;
    last = problem;
    if (Date.now() > deadline) throw new ChaosError(`${what} not ready after ${timeoutMs / 1000} s (${last}); see ${logPath}`);
    await sleep(200);
  }
}

/**
 * Starts a region's node with its manifest environment plus `extraEnv` (a proxy URL, a fake
 * clock), waits for GET /readyz = 200 and records the new pid. `extraEnv` is not written to the
 * manifest: a later plain restart goes back to the normal environment.
 */
export async function startNode(base: string, regionName: string, extraEnv: Readonly<Record<string, string>> = {}, timeoutMs = 60_000): Promise<number> {
  const manifest = await readManifest(base);
  const region = manifest.regions.find((r) => r.name === regionName)!;
  const launch = { execPath: manifest.nodeExecPath, nodeEntry: manifest.nodeEntry, repoRoot: manifest.repoRoot };
  const proc = spawnRegionNode(launch, { ...region.nodeEnv, ...extraEnv }, region.nodeLogPath);
  await recordPid(base, regionName, { pid: proc.pid });
  await waitFor(`node ${regionName}`, async () => {
    const ready = await probe(`${region.url}/readyz`, { timeoutMs: 1000 });
    return ready.status === 200 ? null : (ready.error ?? `readyz ${ready.status}`);
  }, () => proc.exit, timeoutMs, region.nodeLogPath);
  return proc.pid;
}

/** Starts a region's nats-server from its config file and waits until it is healthy and knows the meta leader. */
export async function startNats(base: string, regionName: string, timeoutMs = 30_000): Promise<number> {
  const manifest = await readManifest(base);
  const region = manifest.regions.find((r) => r.name === regionName)!;
  const proc = spawnDetached(manifest.natsBinary, ['-c', region.natsConfigPath], { cwd: dirname(region.natsConfigPath), env: process.env, logPath: region.natsLogPath });
  await recordPid(base, regionName, { natsPid: proc.pid });
  await waitFor(`nats-server ${regionName}`, async () => {
    const ready = await natsReady(region.natsMonitorUrl, manifest.regions.length > 1);
    return ready.ready ? null : ready.detail;
  }, () => proc.exit, timeoutMs, region.natsLogPath);
  return proc.pid;
}

/** Resolves a region by name, or explains which names exist. */
export function findRegion(manifest: Manifest, name: string): ManifestRegion {
  const region = manifest.regions.find((r) => r.name === name);
  if (!region) throw new ChaosError(`no region ${name} in the cluster; regions: ${manifest.regions.map((r) => r.name).join(', ')}`, 2);
  return region;
}

/** The region a scenario acts on: the one asked for, else the last one (the first bootstraps the deployment). */
export function targetRegion(manifest: Manifest, asked: string | null): ManifestRegion {
  return asked === null ? manifest.regions[manifest.regions.length - 1]! : findRegion(manifest, asked);
}

export const portOf = (url: string): number => Number(new URL(url.replace(/^nats:/, 'http:')).port);
