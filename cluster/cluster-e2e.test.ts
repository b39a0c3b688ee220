// cluster:up → cluster:status → cluster:down with real nats-servers and real region nodes, each
// command run as the operator runs it (its own process), so that detachment is tested too: the
// servers must outlive `up`. Skipped until the node has `main.ts init` (replicated mode).
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInitOutput } from './cluster-file.ts';
import { probe } from './http-probe.ts';
import { clusterFilePath, manifestPath } from './layout.ts';
import { manifestProcesses } from './liveness.ts';
import { readManifest, type Manifest } from './manifest.ts';
import { findNatsServer } from './nats-binary.ts';
import { runInit } from './node-identity.ts';
import { isOurProcessAlive } from './processes.ts';
import { defaultLaunch, REPO_ROOT } from './start-cluster.ts';
import { stopCluster } from './stop-cluster.ts';

async function probeNodeInit(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-cluster-tool-init-'));
  try {
    const run = await runInit({ region: 'probe', dataDir: dir, ...defaultLaunch(), timeoutMs: 20_000 });
    if (run.code !== 0 || run.abandoned !== null) return false;
    parseInitOutput('probe', run.stdout);
    return true;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const nodeSupportsReplication = findNatsServer() !== null && (await probeNodeInit());

function runTool(script: 'up' | 'status' | 'down', args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'cluster', `${script}.ts`), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('local multi-region cluster', () => {
  let base = '';

  afterAll(async () => {
    // Whatever happened above, leave no server running.
    if (base) {
      await stopCluster(base, { purge: true }).catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    }
  });

  it.skipIf(!nodeSupportsReplication)('comes up detached in three regions, reports status, and goes down without leftovers', { timeout: 180_000 }, async () => {
    base = await mkdtemp(join(tmpdir(), 'latchkey-cluster-tool-e2e-'));
    const up = await runTool('up', ['--regions', 'eu,us,ap', '--base', base]);
    expect(up.code, `cluster:up failed:\n${up.stderr}`).toBe(0);
    expect(up.stdout).toContain('latchkey cluster up: 3 region(s)');

    const manifest: Manifest = await readManifest(base);
    expect((await stat(manifestPath(base))).mode & 0o777).toBe(0o600);
    expect((await stat(clusterFilePath(base))).mode & 0o777).toBe(0o644);
    expect(manifest.regions.map((r) => r.name)).toEqual(['eu', 'us', 'ap']);
    expect(manifest.streamReplicas).toBe(3);
    // `up` has exited; its servers and nodes must still run.
    for (const p of manifestProcesses(manifest)) expect(isOurProcessAlive(p.pid, p.needle), p.label).toBe(true);
    for (const region of manifest.regions) {
      expect(region.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(region.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(region.dataDir).toBe(join(base, 'nodes', region.name));
      expect((await probe(`${region.url}/v1/whoami`, { token: manifest.adminToken })).status).toBe(200);
    }

    // A key made in one region is known in the others once replication catches up.
    const [eu, , ap] = manifest.regions;
    const created = await fetch(`${eu!.url}/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${manifest.adminToken}`, 'content-type': 'application/json' }, body: '{"description":"cluster e2e"}' });
    expect(created.ok, `POST /v1/keys answered ${created.status}`).toBe(true);
    const keyId = ((await created.json()) as { keyMetadata: { keyId: string } }).keyMetadata.keyId;
    let seen = 0;
    for (let i = 0; i < 100 && seen !== 200; i++) {
      seen = (await probe(`${ap!.url}/v1/keys/${keyId}`, { token: manifest.adminToken })).status;
      if (seen !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(200);

    const status = await runTool('status', ['--base', base]);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^REGION\s+NODE/);
    expect(status.stdout).toContain('all 3 region(s) up');
    const json = JSON.parse((await runTool('status', ['--base', base, '--json'])).stdout) as { regions: { name: string; appliedSeq: number | null; up: boolean }[] };
    expect(json.regions.map((r) => [r.name, r.up])).toEqual([['eu', true], ['us', true], ['ap', true]]);
    for (const r of json.regions) expect(r.appliedSeq).toBeGreaterThan(0);

    const again = await runTool('up', ['--regions', 'eu,us,ap', '--base', base]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a cluster is already running at');

    const down = await runTool('down', ['--base', base, '--purge']);
    expect(down.code, down.stderr).toBe(0);
    for (const p of manifestProcesses(manifest)) expect(isOurProcessAlive(p.pid, p.needle), p.label).toBe(false);
    await expect(access(base)).rejects.toThrow();

    const statusAfter = await runTool('status', ['--base', base]);
    expect(statusAfter.code).toBe(1);
    expect(statusAfter.stderr).toContain('no cluster at');
  });
});
