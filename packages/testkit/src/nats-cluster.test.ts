// Proves startNatsCluster against real nats-server processes: three regions form one JetStream
// cluster (every server knows the same meta leader and three peers, each tagged with its region),
// pause/resume, kill and restart act on exactly one server and the cluster recovers, credentials
// are enforced, stop leaves no process behind, and neither does a test process that forgets stop.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, tempDir, type NatsCluster, type TempDir } from './index.ts';

interface Jsz { meta_cluster?: { leader?: string; cluster_size?: number; replicas?: { name: string; current: boolean }[] } }
interface Varz { server_name: string; tags?: string[]; auth_required?: boolean }

const REGIONS = ['us-east', 'eu-west', 'ap-south'];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The one-letter state in /proc/<pid>/stat: "T" means stopped by a signal. */
async function procState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && accept(value)) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function healthzAnswers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
}

/** Speaks just enough of the NATS client protocol to see whether a login is accepted. */
function natsLogin(url: string, user: string, pass: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.startsWith('INFO') && !text.includes('CONNECT_SENT') && text.includes('\r\n')) {
        text += 'CONNECT_SENT';
        socket.write(`CONNECT ${JSON.stringify({ user, pass, verbose: false, pedantic: false })}\r\nPING\r\n`);
      }
      const answer = /PONG|-ERR[^\r]*/.exec(text.split('CONNECT_SENT')[1] ?? '');
      if (answer) {
        socket.destroy();
        resolve(answer[0]);
      }
    });
  });
}

describe('startNatsCluster with three regions', () => {
  let dir: TempDir;
  let cluster: NatsCluster;

  beforeAll(async () => {
    dir = await tempDir('latchkey-nats-');
    cluster = await startNatsCluster({ regions: REGIONS, baseDir: dir.path });
  });

  afterAll(async () => {
    await cluster?.stop();
    await dir?.cleanup();
  });

  it('starts one server per region on distinct free ports, never 4222', () => {
    expect(cluster.servers.map((s) => s.region)).toEqual(REGIONS);
    const ports = cluster.servers.flatMap((s) => [new URL(s.clientUrl).port, new URL(s.monitorUrl).port]);
    expect(new Set(ports).size).toBe(6);
    expect(ports).not.toContain('4222');
    expect(cluster.urls).toEqual(cluster.servers.map((s) => s.clientUrl));
    for (const s of cluster.servers) expect(isAlive(s.pid)).toBe(true);
  });

  it('forms one JetStream cluster: same meta leader everywhere, three peers, region tags', async () => {
    const views = await Promise.all(REGIONS.map((r) => cluster.monitor<Jsz>(r, '/jsz')));
    const leaders = new Set(views.map((v) => v.meta_cluster?.leader));
    expect(leaders.size).toBe(1);
    const [leader] = [...leaders];
    expect(REGIONS).toContain(leader);
    const onLeader = views[REGIONS.indexOf(leader!)]!.meta_cluster!;
    expect(onLeader.cluster_size).toBe(3);
    expect([leader, ...(onLeader.replicas ?? []).map((p) => p.name)].sort()).toEqual([...REGIONS].sort());
    for (const region of REGIONS) {
      const varz = await cluster.monitor<Varz>(region, '/varz');
      expect(varz.server_name).toBe(region);
      expect(varz.tags).toEqual([`region:${region}`]);
    }
  });

  it('pauses one server with SIGSTOP and resumes it with SIGCONT', async () => {
    const target = cluster.server('eu-west');
    cluster.pause('eu-west');
    expect(await procState(target.pid)).toBe('T');
    expect(await healthzAnswers(target.monitorUrl)).toBe(false);
    expect(await healthzAnswers(cluster.server('us-east').monitorUrl)).toBe(true);
    cluster.resume('eu-west');
    expect(await procState(target.pid)).not.toBe('T');
    await cluster.waitReady(['eu-west']);
  });

  it('kills one server, keeps quorum on the others, and restarts it on the same ports and store', async () => {
    const target = cluster.server('ap-south');
    const oldPid = target.pid;
    await cluster.kill('ap-south');
    expect(isAlive(oldPid)).toBe(false);
    // Two of three keep a meta leader (a new one, if the killed server led).
    await eventually(() => cluster.monitor<Jsz>('us-east', '/jsz'), (j) => Boolean(j.meta_cluster?.leader) && j.meta_cluster?.leader !== 'ap-south');
    await cluster.restart('ap-south');
    expect(target.pid).not.toBe(oldPid);
    expect(isAlive(target.pid)).toBe(true);
    // The restarted server rejoins: the leader sees every peer current again.
    await eventually(async () => {
      const leader = (await cluster.monitor<Jsz>('us-east', '/jsz')).meta_cluster?.leader;
      return (await cluster.monitor<Jsz>(leader!, '/jsz')).meta_cluster;
    }, (m) => (m?.replicas ?? []).length === 2 && (m?.replicas ?? []).every((p) => p.current));
  });

  it('restarts a running server gracefully, too', async () => {
    const oldPid = cluster.server('us-east').pid;
    await cluster.restart('us-east');
    expect(isAlive(oldPid)).toBe(false);
    expect(cluster.server('us-east').pid).not.toBe(oldPid);
    await cluster.waitReady();
  });

  it('stops every server, paused ones included', async () => {
    cluster.pause('eu-west');
    const pids = cluster.servers.map((s) => s.pid);
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});

describe('startNatsCluster options and safety', () => {
  it('enforces client credentials, including a password with $ and quotes', async () => {
    const dir = await tempDir('latchkey-nats-auth-');
    let cluster: NatsCluster | undefined;
    try {
      cluster = await startNatsCluster({ regions: ['solo'], baseDir: dir.path, credentials: { user: 'node', password: 'pa$$ "w"' } });
      expect((await cluster.monitor<Varz>('solo', '/varz')).auth_required).toBe(true);
      expect(await natsLogin(cluster.urls[0]!, 'node', 'pa$$ "w"')).toBe('PONG');
      expect(await natsLogin(cluster.urls[0]!, 'node', 'wrong')).toMatch(/Authorization Violation/);
    } finally {
      await cluster?.stop();
      await dir.cleanup();
    }
  });

  it('refuses bad region lists before starting anything', async () => {
    await expect(startNatsCluster({ regions: [], baseDir: '/tmp/unused' })).rejects.toThrow(RangeError);
    await expect(startNatsCluster({ regions: ['a', 'a'], baseDir: '/tmp/unused' })).rejects.toThrow(/repeat/);
    await expect(startNatsCluster({ regions: ['Bad Name'], baseDir: '/tmp/unused' })).rejects.toThrow(/region/);
  });

  it('fails fast with the log tail when a server cannot start', async () => {
    const dir = await tempDir('latchkey-nats-bad-');
    try {
      await expect(startNatsCluster({ regions: ['solo'], baseDir: dir.path, binary: '/bin/false' })).rejects.toThrow(/exited during start-up/);
    } finally {
      await dir.cleanup();
    }
  });

  it('kills servers when a test process exits without stopping them', async () => {
    const dir = await tempDir('latchkey-nats-orphan-');
    const index = join(fileURLToPath(new URL('.', import.meta.url)), 'index.ts');
    const script = `
      import { startNatsCluster } from ${JSON.stringify(index)};
      const cluster = await startNatsCluster({ regions: ['orphan'], baseDir: ${JSON.stringify(dir.path)} });
      console.log(JSON.stringify(cluster.servers.map((s) => s.pid)));
      process.exit(0);`;
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
      const pids = JSON.parse(stdout.trim().split('\n').at(-1)!) as number[];
      expect(pids).toHaveLength(1);
      await eventually(async () => pids.filter(isAlive), (alive) => alive.length === 0, 5000);
    } finally {
      await dir.cleanup();
    }
  });
});
