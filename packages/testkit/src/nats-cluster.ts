/**
 * A real local NATS JetStream cluster for tests: one nats-server per region on loopback, all in
 * one cluster (routes to every server, `server_tags: ["region:<name>"]`), each with its own ports,
 * store directory, config file and log. Ready means every server's `/healthz` says ok and, with
 * clustered JetStream, every server knows the meta leader. A single region runs standalone (see
 * nats-config.ts): nats-server 2.9 cannot form a JetStream cluster of one. Faults are real signals: SIGSTOP, SIGCONT,
 * SIGKILL, and a restart on the same ports and store.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { validateRegionName } from '@latchkey/core';
import { freePorts } from './free-port.ts';
import { natsClientUrl, natsMonitorUrl, planServers, renderNatsConfig, type NatsClusterPlan, type NatsServerPlan } from './nats-config.ts';
import {
  findNatsServer, killServerProcess, logTail, spawnNatsServer, stopServerProcess, type ServerProcess,
} from './nats-process.ts';
import { TestkitError } from './testkit-error.ts';

export interface NatsClusterOptions {
  readonly regions: readonly string[];
  /** Each region gets `<baseDir>/<region>/` with nats.conf, nats.log and jetstream/. Reusing a baseDir keeps the stores. */
  readonly baseDir: string;
  /** Default true. */
  readonly jetstream?: boolean;
  /** Client credentials; routes and the monitor port stay open, as they only listen on loopback. */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** Default "latchkey". */
  readonly clusterName?: string;
  /** How long start-up and each restart may take before failing with the servers' log tails. Default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Path to nats-server; default: the first on PATH, else /usr/sbin/nats-server. */
  readonly binary?: string;
}

export interface NatsServerInfo {
  readonly region: string;
  readonly clientUrl: string;
  readonly monitorUrl: string;
  /** The current process id; after kill, the last one, until restart gives a new one. */
  readonly pid: number;
  readonly configPath: string;
  readonly logPath: string;
  readonly storeDir: string;
}

export interface NatsCluster {
  readonly clusterName: string;
  readonly servers: readonly NatsServerInfo[];
  /** Client URLs, one per server, in region order. */
  readonly urls: readonly string[];
  server(region: string): NatsServerInfo;
  /** GET a monitor endpoint (`/jsz`, `/varz`, `/routez`...) of one server as JSON. */
  monitor<T = unknown>(region: string, path: string): Promise<T>;
  /** Waits until the named servers (default: all running ones) are healthy. */
  waitReady(regions?: readonly string[], timeoutMs?: number): Promise<void>;
  pause(region: string): void;
  resume(region: string): void;
  kill(region: string): Promise<void>;
  restart(region: string): Promise<void>;
  stop(): Promise<void>;
}

interface Settings {
  readonly binary: string;
  readonly readyTimeoutMs: number;
  readonly baseDir: string;
  readonly plan: Omit<NatsClusterPlan, 'servers'>;
  readonly regions: readonly string[];
}

interface Member {
  readonly plan: NatsServerPlan;
  readonly info: NatsServerInfo;
  proc: ServerProcess | null;
}

const START_ATTEMPTS = 3;

const needsMetaLeader = (settings: Settings): boolean => settings.plan.jetstream && settings.regions.length > 1;
const POLL_MS = 100;
const REQUEST_TIMEOUT_MS = 1000;

function resolveSettings(options: NatsClusterOptions): Settings {
  if (options.regions.length === 0) throw new RangeError('startNatsCluster needs at least one region');
  const regions = options.regions.map(validateRegionName);
  if (new Set(regions).size !== regions.length) throw new RangeError(`region names repeat: ${regions.join(', ')}`);
  return {
    binary: findNatsServer(options.binary),
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
    baseDir: resolve(options.baseDir),
    regions,
    plan: { clusterName: options.clusterName ?? 'latchkey', jetstream: options.jetstream ?? true, credentials: options.credentials ?? null },
  };
}

async function planMembers(settings: Settings): Promise<Member[]> {
  const ports = await freePorts(settings.regions.length * 3);
  const plans = planServers(settings.regions, ports, (region) => join(settings.baseDir, region, 'jetstream'));
  const cluster: NatsClusterPlan = { ...settings.plan, servers: plans };
  return Promise.all(plans.map(async (plan) => {
    const dir = join(settings.baseDir, plan.region);
    await mkdir(plan.storeDir, { recursive: true });
    const configPath = join(dir, 'nats.conf');
    await writeFile(configPath, renderNatsConfig(cluster, plan));
    return makeMember(plan, configPath, join(dir, 'nats.log'));
  }));
}

/** The info object is a live view: `pid` follows restarts. */
function makeMember(plan: NatsServerPlan, configPath: string, logPath: string): Member {
  const member: Member = {
    plan,
    proc: null,
    info: {
      region: plan.region,
      clientUrl: natsClientUrl(plan),
      monitorUrl: natsMonitorUrl(plan),
      get pid(): number {
        return member.proc?.pid ?? 0;
      },
      configPath,
      logPath,
      storeDir: plan.storeDir,
    },
  };
  return member;
}

async function getJson(url: string): Promise<{ status: number; body: unknown } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: response.status, body: await response.json() };
  } catch {
    // Refused, paused (time-out) or not JSON yet: all mean "not ready".
    return null;
  }
}

/** `needsMetaLeader`: clustered JetStream, where R3 stream creation fails until a meta leader is known. */
async function isReady(member: Member, needsMetaLeader: boolean): Promise<boolean> {
  const health = await getJson(`${member.info.monitorUrl}/healthz`);
  if (health?.status !== 200 || (health.body as { status?: unknown }).status !== 'ok') return false;
  if (!needsMetaLeader) return true;
  // healthz can answer ok a moment before the meta leader is known on every server.
  const jsz = await getJson(`${member.info.monitorUrl}/jsz`);
  return Boolean((jsz?.body as { meta_cluster?: { leader?: string } } | undefined)?.meta_cluster?.leader);
}

class StartFailure extends TestkitError {
  readonly portInUse: boolean;
  constructor(message: string, portInUse: boolean) {
    super(message);
    this.portInUse = portInUse;
  }
}

async function describeMember(member: Member): Promise<string> {
  const state = member.proc?.hasExited() ? `exited (${member.proc.exitSummary()})` : member.proc ? 'running, not ready' : 'not started';
  return `--- ${member.plan.region} (${state}), log ${member.info.logPath}:\n${await logTail(member.info.logPath)}`;
}

async function waitForMembers(members: readonly Member[], needsMetaLeader: boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let pending = [...members];
  while (pending.length > 0) {
    const dead = pending.find((m) => m.proc?.hasExited());
    if (dead) {
      const tail = await logTail(dead.info.logPath);
      throw new StartFailure(`nats-server for ${dead.plan.region} exited during start-up (${dead.proc!.exitSummary()}):\n${tail}`, /address already in use/.test(tail));
    }
    const ready = await Promise.all(pending.map((m) => isReady(m, needsMetaLeader)));
    pending = pending.filter((_, i) => !ready[i]);
    if (pending.length === 0) return;
    if (performance.now() > deadline) {
      const details = await Promise.all(pending.map(describeMember));
      throw new TestkitError(`nats-server not ready within ${timeoutMs} ms: ${pending.map((m) => m.plan.region).join(', ')}\n${details.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function startMember(settings: Settings, member: Member): void {
  member.proc = spawnNatsServer(settings.binary, member.info.configPath, member.info.logPath);
}

async function launch(settings: Settings): Promise<Member[]> {
  for (let attempt = 1; ; attempt++) {
    const members = await planMembers(settings);
    try {
      for (const m of members) startMember(settings, m);
      await waitForMembers(members, needsMetaLeader(settings), settings.readyTimeoutMs);
      return members;
    } catch (err) {
      await Promise.all(members.map((m) => (m.proc ? killServerProcess(m.proc) : undefined)));
      // Another process may take a port between freePort() and the server's bind; new ports fix that.
      if (!(err instanceof StartFailure && err.portInUse) || attempt >= START_ATTEMPTS) throw err;
    }
  }
}

/** Starts the cluster and resolves once every server is ready; on failure no server is left running. */
export async function startNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  const settings = resolveSettings(options);
  await mkdir(settings.baseDir, { recursive: true });
  const members = await launch(settings);
  return clusterHandle(settings, members);
}

function clusterHandle(settings: Settings, members: readonly Member[]): NatsCluster {
  const byRegion = new Map(members.map((m) => [m.plan.region, m]));
  const member = (region: string): Member => {
    const m = byRegion.get(region);
    if (!m) throw new RangeError(`no NATS server for region ${region}; regions: ${settings.regions.join(', ')}`);
    return m;
  };
  const running = (region: string): ServerProcess => {
    const proc = member(region).proc;
    if (!proc || proc.hasExited()) throw new TestkitError(`the NATS server for ${region} is not running`);
    return proc;
  };
  const waitReady = (regions?: readonly string[], timeoutMs = settings.readyTimeoutMs): Promise<void> => {
    const chosen = regions ? regions.map(member) : members.filter((m) => m.proc && !m.proc.hasExited());
    return waitForMembers(chosen, needsMetaLeader(settings), timeoutMs);
  };
  return {
    clusterName: settings.plan.clusterName,
    servers: members.map((m) => m.info),
    urls: members.map((m) => m.info.clientUrl),
    server: (region) => member(region).info,
    monitor: async <T>(region: string, path: string) => {
      const response = await fetch(`${member(region).info.monitorUrl}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 5) });
      if (!response.ok) throw new TestkitError(`GET ${path} on ${region} answered ${response.status}`);
      return (await response.json()) as T;
    },
    waitReady,
    pause: (region) => {
      const proc = running(region);
      proc.signal('SIGSTOP');
      proc.paused = true;
    },
    resume: (region) => {
      const proc = running(region);
      proc.signal('SIGCONT');
      proc.paused = false;
    },
    kill: async (region) => {
      const proc = member(region).proc;
      if (proc) await killServerProcess(proc);
    },
    restart: async (region) => {
      const m = member(region);
      if (m.proc) await stopServerProcess(m.proc);
      startMember(settings, m);
      await waitReady([region]);
    },
    stop: async () => {
      await Promise.all(members.map((m) => (m.proc ? stopServerProcess(m.proc) : undefined)));
    },
  };
}
