/**
 * Step 2-3 of cluster:up: one nats-server per region, configured, started detached and waited for.
 * Ready means every monitor `/healthz` says ok and, clustered, every server knows the JetStream
 * meta leader (before that, creating an R3 stream fails).
 */
import { mkdir } from 'node:fs/promises';
import { planServers } from '@latchkey/testkit';
import { regionPaths, type RegionPaths } from './layout.ts';
import { writeFileAtomic } from './manifest.ts';
import { ClusterError } from './cluster-error.ts';
import { natsReady } from './http-probe.ts';
import { isClustered, natsClientUrl, natsMonitorUrl, renderNatsConfig, type NatsPlan, type NatsServerPlan } from './nats-config.ts';
import { allocatePorts } from './ports.ts';
import { logTail, sleep, spawnDetached, stopProcesses, type DetachedProcess } from './processes.ts';
import type { StartedProcesses } from './started-processes.ts';

export interface RunningNats {
  readonly plan: NatsServerPlan;
  readonly paths: RegionPaths;
  readonly proc: DetachedProcess;
  readonly clientUrl: string;
  readonly monitorUrl: string;
}

export interface StartNatsOptions {
  readonly base: string;
  readonly regions: readonly string[];
  readonly binary: string;
  readonly clientPassword: string;
  readonly routePassword: string;
  readonly started: StartedProcesses;
  /** Ports not to hand out (already used by this run). Grows with the ports chosen here. */
  readonly usedPorts: Set<number>;
  readonly readyTimeoutMs?: number;
  readonly log: (line: string) => void;
}

/** Another process can take a port between our check and the server's bind; fresh ports fix that. */
const START_ATTEMPTS = 3;

export async function planNats(options: Pick<StartNatsOptions, 'base' | 'regions' | 'clientPassword' | 'routePassword' | 'usedPorts'>): Promise<NatsPlan> {
  const ports = await allocatePorts(options.regions.length * 3, options.usedPorts);
  for (const port of ports) options.usedPorts.add(port);
  return {
    clientPassword: options.clientPassword,
    routePassword: options.routePassword,
    servers: planServers(options.regions, ports, (region) => regionPaths(options.base, region).natsStoreDir),
  };
}

class PortTaken extends ClusterError {}

async function waitReady(servers: readonly RunningNats[], needMetaLeader: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...servers];
  for (;;) {
    const dead = pending.find((s) => s.proc.exit !== null);
    if (dead) {
      const tail = await logTail(dead.paths.natsLogPath);
      const message = `nats-server for ${dead.plan.region} exited during start-up (${dead.proc.exit}); ${dead.paths.natsLogPath} ends with:\n${tail}`;
      throw /address already in use/i.test(tail) ? new PortTaken(message) : new ClusterError(message);
    }
    const checks = await Promise.all(pending.map((s) => natsReady(s.monitorUrl, needMetaLeader)));
    pending = pending.filter((_, i) => !checks[i]!.ready);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      const details = await Promise.all(
        pending.map(async (s, i) => `--- ${s.plan.region} (${checks[i]?.detail ?? 'not ready'}), ${s.paths.natsLogPath}:\n${await logTail(s.paths.natsLogPath)}`),
      );
      throw new ClusterError(`nats-server not ready within ${timeoutMs / 1000} s: ${pending.map((s) => s.plan.region).join(', ')}\n${details.join('\n')}`);
    }
    await sleep(200);
  }
}

async function startOnce(options: StartNatsOptions): Promise<RunningNats[]> {
  const plan = await planNats(options);
  const servers: RunningNats[] = [];
  for (const server of plan.servers) {
    const paths = regionPaths(options.base, server.region);
    await mkdir(paths.natsStoreDir, { recursive: true, mode: 0o700 });
    // 0600: the file holds both passwords.
    await writeFileAtomic(paths.natsConfigPath, renderNatsConfig(plan, server), 0o600);
    const proc = spawnDetached(options.binary, ['-c', paths.natsConfigPath], { cwd: paths.natsDir, env: process.env, logPath: paths.natsLogPath });
    await options.started.add({ role: 'nats', pid: proc.pid, needle: paths.natsConfigPath, label: `nats-server ${server.region}` });
    servers.push({ plan: server, paths, proc, clientUrl: natsClientUrl(server), monitorUrl: natsMonitorUrl(server) });
  }
  try {
    await waitReady(servers, isClustered(plan), options.readyTimeoutMs ?? 30_000);
    return servers;
  } catch (error) {
    // Leave nothing half-started behind this attempt: the caller either retries or gives up.
    const owned = servers.map((s) => ({ pid: s.proc.pid, needle: s.paths.natsConfigPath, label: `nats-server ${s.plan.region}` }));
    const left = await stopProcesses(owned, 5000);
    for (const s of servers) if (!left.some((l) => l.pid === s.proc.pid)) await options.started.drop(s.proc.pid);
    throw error;
  }
}

export async function startNatsServers(options: StartNatsOptions): Promise<RunningNats[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= START_ATTEMPTS) throw error;
      options.log(`a port was taken while starting NATS; retrying with fresh ports (attempt ${attempt + 1} of ${START_ATTEMPTS})`);
    }
  }
}
