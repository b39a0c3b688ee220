import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ClusterError } from './cluster-error.ts';
import { manifestPath } from './layout.ts';
import { manifestRegion, readManifest, readManifestIfAny, removeManifest, writeManifest, type Manifest } from './manifest.ts';
import { withTempDir } from './test-support.ts';

function sample(base: string): Manifest {
  const region = (name: string, n: number) => ({
    name,
    url: `http://127.0.0.1:${30_000 + n}`,
    natsUrl: `nats://127.0.0.1:${31_000 + n}`,
    pid: 1000 + n,
    natsPid: 2000 + n,
    dataDir: `${base}/nodes/${name}`,
    natsMonitorUrl: `http://127.0.0.1:${32_000 + n}`,
    natsClusterPort: 33_000 + n,
    natsLogPath: `${base}/nats/${name}/nats.log`,
    nodeLogPath: `${base}/nodes/${name}/node.log`,
    natsConfigPath: `${base}/nats/${name}/nats.conf`,
    nodeEnv: { LATCHKEY_REGION: name },
  });
  return {
    regions: [region('eu', 1), region('us', 2)],
    adminToken: 'lk_admin_token',
    natsUser: 'latchkey',
    natsPassword: 'pw',
    base,
    createdAt: '2026-01-01T00:00:00.000Z',
    streamReplicas: 2,
    clusterFile: `${base}/cluster.json`,
    nodeExecPath: '/usr/bin/node',
    nodeEntry: '/repo/packages/node/src/main.ts',
    repoRoot: '/repo',
    natsBinary: '/usr/sbin/nats-server',
  };
}

describe('manifest', () => {
  it('round-trips, and is written 0600 because it holds the admin token', async () => {
    await withTempDir(async (base) => {
      const manifest = sample(base);
      const path = await writeManifest(manifest);
      expect(path).toBe(manifestPath(base));
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(await readManifest(base)).toEqual(manifest);
      expect(manifestRegion(await readManifest(base), 'us').pid).toBe(1002);
      expect(() => manifestRegion(manifest, 'ap')).toThrow(/no region ap .* eu, us/);
    });
  });

  it('keeps the contract field names other tools rely on', async () => {
    await withTempDir(async (base) => {
      await writeManifest(sample(base));
      const raw = JSON.parse(await readFile(manifestPath(base), 'utf8')) as { regions: Record<string, unknown>[]; adminToken: unknown };
      expect(typeof raw.adminToken).toBe('string');
      for (const field of ['name', 'url', 'natsUrl', 'pid', 'natsPid', 'dataDir']) expect(raw.regions[0]).toHaveProperty(field);
    });
  });

  it('says how to start a cluster when there is none, and null from readManifestIfAny', async () => {
    await withTempDir(async (base) => {
      expect(await readManifestIfAny(base)).toBeNull();
      await expect(readManifest(base)).rejects.toThrow(/no cluster at .*start one with pnpm cluster:up/);
      await writeManifest(sample(base));
      await removeManifest(base);
      expect(await readManifestIfAny(base)).toBeNull();
    });
  });

  it('names the problem in a broken manifest', async () => {
    await withTempDir(async (base) => {
      const broken = async (content: string) => {
        await writeFile(manifestPath(base), content);
        return readManifest(base).then(() => 'accepted', (error: unknown) => (error instanceof ClusterError ? error.message : `not a ClusterError: ${String(error)}`));
      };
      expect(await broken('{')).toMatch(/not valid JSON/);
      expect(await broken('[]')).toMatch(/adminToken missing/);
      expect(await broken('{"adminToken":"t","regions":[]}')).toMatch(/regions missing or empty/);
      const good = sample(base);
      expect(await broken(JSON.stringify({ ...good, regions: [{ ...good.regions[0], pid: -1 }] }))).toMatch(/regions\[0\]\.pid is not a process id/);
      expect(await broken(JSON.stringify({ ...good, regions: [{ ...good.regions[0], natsUrl: undefined }] }))).toMatch(/regions\[0\]\.natsUrl missing/);
    });
  });
});
