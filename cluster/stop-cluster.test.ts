import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerPath, startingPath } from './layout.ts';
import { inspectBase } from './liveness.ts';
import { readManifestIfAny, writeManifest, type Manifest } from './manifest.ts';
import { isOurProcessAlive, logTail, sleep, spawnDetached, stopProcesses } from './processes.ts';
import { stopCluster } from './stop-cluster.ts';
import { withTempDir } from './test-support.ts';

/** A stand-in for a node or a server: its command line carries `tag`, as theirs carry the entry or config path. */
async function sleeper(dir: string, tag: string) {
  const logPath = join(dir, `${tag}.log`);
  const proc = spawnDetached(process.execPath, ['-e', `console.log('up'); setInterval(() => {}, 1000)`, tag], { cwd: dir, env: process.env, logPath });
  for (let i = 0; i < 50 && !(await logTail(logPath)).includes('up'); i++) await sleep(50);
  return proc;
}

function manifestFor(base: string, node: number, nats: number, needles: { node: string; nats: string }): Manifest {
  return {
    regions: [{
      name: 'eu', url: 'http://127.0.0.1:1', natsUrl: 'nats://127.0.0.1:2', pid: node, natsPid: nats, dataDir: join(base, 'nodes/eu'),
      natsMonitorUrl: 'http://127.0.0.1:3', natsClusterPort: null, natsLogPath: '', nodeLogPath: '', natsConfigPath: needles.nats, nodeEnv: {},
    }],
    adminToken: 't', natsUser: 'latchkey', natsPassword: 'p', base, createdAt: new Date().toISOString(), streamReplicas: 1,
    clusterFile: join(base, 'cluster.json'), nodeExecPath: process.execPath, nodeEntry: needles.node, repoRoot: base, natsBinary: 'nats-server',
  };
}

describe('cluster:down', () => {
  it('stops the manifest processes and what an interrupted up left, then purges the base', async () => {
    await withTempDir(async (dir) => {
      const base = join(dir, 'base');
      await mkdir(base);
      await writeFile(markerPath(base), '');
      const node = await sleeper(dir, 'fake-node-entry');
      const nats = await sleeper(dir, 'fake-nats-conf');
      const leftover = await sleeper(dir, 'fake-leftover');
      await writeManifest(manifestFor(base, node.pid, nats.pid, { node: 'fake-node-entry', nats: 'fake-nats-conf' }));
      await writeFile(startingPath(base), JSON.stringify([{ role: 'nats', pid: leftover.pid, needle: 'fake-leftover', label: 'nats-server x' }]));
      expect((await inspectBase(base)).alive.map((p) => p.label)).toEqual(['node eu', 'nats-server eu', 'nats-server x']);

      const result = await stopCluster(base, { purge: true, graceMs: 2000 });
      expect(result.stopped).toEqual([`node eu (pid ${node.pid})`, `nats-server eu (pid ${nats.pid})`, `nats-server x (pid ${leftover.pid})`]);
      expect(result.purged).toBe(true);
      for (const [pid, needle] of [[node.pid, 'fake-node-entry'], [nats.pid, 'fake-nats-conf'], [leftover.pid, 'fake-leftover']] as const) {
        expect(isOurProcessAlive(pid, needle)).toBe(false);
      }
      await expect(access(base)).rejects.toThrow();
    });
  });

  it('never signals a process whose pid was reused by something else', async () => {
    await withTempDir(async (dir) => {
      const base = join(dir, 'base');
      await mkdir(base);
      const stranger = await sleeper(dir, 'someone-else');
      try {
        // The manifest claims the stranger's pid, but its command line is not a node's nor a server's.
        await writeManifest(manifestFor(base, stranger.pid, stranger.pid, { node: 'fake-node-entry', nats: 'fake-nats-conf' }));
        const result = await stopCluster(base, { purge: false });
        expect(result).toEqual({ stopped: [], hadManifest: true, purged: false });
        expect(isOurProcessAlive(stranger.pid, 'someone-else')).toBe(true);
        expect(await readManifestIfAny(base)).toBeNull();
      } finally {
        await stopProcesses([{ pid: stranger.pid, needle: 'someone-else', label: 'stranger' }], 1000);
      }
    });
  });

  it('refuses to purge a folder that cluster:up did not make', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'precious.txt'), 'keep me');
      await expect(stopCluster(dir, { purge: true })).rejects.toThrow(/was not made by cluster:up .* not deleting it/);
      await access(join(dir, 'precious.txt'));
      expect(await stopCluster(join(dir, 'missing'), { purge: true })).toEqual({ stopped: [], hadManifest: false, purged: false });
    });
  });
});
