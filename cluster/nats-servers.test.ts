// Real nats-servers, started the way cluster:up starts them: detached, with client and route
// credentials. Skipped where nats-server is not installed (./run test installs it).
import { connect } from 'node:net';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probe } from './http-probe.ts';
import { findNatsServer } from './nats-binary.ts';
import { NATS_CLIENT_USER } from './nats-config.ts';
import { startNatsServers } from './nats-servers.ts';
import { allocatePorts } from './ports.ts';
import { isOurProcessAlive, sleep, spawnDetached, stopProcesses } from './processes.ts';
import { StartedProcesses } from './started-processes.ts';
import { withTempDir } from './test-support.ts';

const binary = findNatsServer();

/** Speaks just enough of the NATS client protocol to see whether a CONNECT is accepted. */
function tryConnect(url: string, credentials: { user: string; pass: string } | null): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let seen = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...credentials })}\r\nPING\r\n`));
    socket.on('data', (chunk: string) => {
      seen += chunk;
      const verdict = /-ERR '([^']+)'/.exec(seen)?.[1] ?? (seen.includes('PONG') ? 'accepted' : null);
      if (verdict) {
        socket.destroy();
        resolve(verdict);
      }
    });
  });
}

describe.skipIf(!binary)('NATS servers of a local cluster', () => {
  it('form one JetStream cluster that lets in only clients and routes with credentials', async () => {
    await withTempDir(async (base) => {
      const started = new StartedProcesses(base);
      await mkdir(base, { recursive: true });
      const log = (): void => {};
      try {
        const servers = await startNatsServers({
          base, regions: ['eu', 'us', 'ap'], binary: binary!, clientPassword: 'client-secret', routePassword: 'route-secret', started, usedPorts: new Set(), log,
        });
        expect(servers.map((s) => s.plan.region)).toEqual(['eu', 'us', 'ap']);
        for (const server of servers) {
          expect((await stat(server.paths.natsConfigPath)).mode & 0o777).toBe(0o600);
          const jsz = (await probe(`${server.monitorUrl}/jsz`)).body as { meta_cluster: { leader: string; cluster_size: number } };
          expect(jsz.meta_cluster.cluster_size).toBe(3);
          expect(['eu', 'us', 'ap']).toContain(jsz.meta_cluster.leader);
          const varz = (await probe(`${server.monitorUrl}/varz`)).body as { tags: string[] };
          expect(varz.tags).toEqual([`region:${server.plan.region}`]);
        }
        // The credentials are not shown by the monitor port, which has no authentication.
        expect(JSON.stringify((await probe(`${servers[0]!.monitorUrl}/varz`)).body)).not.toMatch(/secret/);

        const eu = servers[0]!;
        expect(await tryConnect(eu.clientUrl, null)).toBe('Authorization Violation');
        expect(await tryConnect(eu.clientUrl, { user: NATS_CLIENT_USER, pass: 'wrong' })).toBe('Authorization Violation');
        expect(await tryConnect(eu.clientUrl, { user: NATS_CLIENT_USER, pass: 'client-secret' })).toBe('accepted');

        // A server that tries to join as a route without the route credentials is turned away.
        const [clientPort, clusterPort] = await allocatePorts(2);
        const rogueConfig = join(base, 'rogue.conf');
        await writeFile(rogueConfig, `server_name: "rogue"\nlisten: "127.0.0.1:${clientPort}"\ncluster {\n  name: "latchkey"\n  listen: "127.0.0.1:${clusterPort}"\n  routes: ["nats-route://127.0.0.1:${eu.plan.clusterPort}"]\n}\n`);
        const rogue = spawnDetached(binary!, ['-c', rogueConfig], { cwd: base, env: process.env, logPath: join(base, 'rogue.log') });
        try {
          let rogueLog = '';
          for (let i = 0; i < 50 && !/Authorization Violation/.test(rogueLog); i++) {
            await sleep(100);
            rogueLog = await readFile(join(base, 'rogue.log'), 'utf8');
          }
          expect(rogueLog).toMatch(/Authorization Violation/);
          const routez = (await probe(`${eu.monitorUrl}/routez`)).body as { num_routes: number };
          expect(routez.num_routes).toBe(2);
        } finally {
          await stopProcesses([{ pid: rogue.pid, needle: rogueConfig, label: 'rogue' }], 2000);
        }
      } finally {
        const pids = started.all.map((p) => ({ ...p }));
        expect(await started.stopAll()).toEqual([]);
        expect(pids.some((p) => isOurProcessAlive(p.pid, p.needle))).toBe(false);
      }
    });
  });

  it('runs a single region as a standalone JetStream server', async () => {
    await withTempDir(async (base) => {
      const started = new StartedProcesses(base);
      await mkdir(base, { recursive: true });
      try {
        const [solo] = await startNatsServers({
          base, regions: ['solo'], binary: binary!, clientPassword: 'c', routePassword: 'r', started, usedPorts: new Set(), log: () => {},
        });
        expect((await probe(`${solo!.monitorUrl}/healthz`)).status).toBe(200);
        const jsz = (await probe(`${solo!.monitorUrl}/jsz`)).body as { config?: { store_dir?: string }; meta_cluster?: unknown };
        expect(jsz.config?.store_dir).toContain(join(base, 'nats', 'solo', 'jetstream'));
      } finally {
        expect(await started.stopAll()).toEqual([]);
      }
    });
  });
});
