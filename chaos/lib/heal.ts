/**
 * `pnpm chaos heal`: puts a cluster back the way cluster:up left it, whatever an interrupted or
 * killed chaos run left behind. A scenario undoes itself, but not if its process was SIGKILLed or
 * the machine hiccupped mid-undo; this is the operator's one command for that case. It is
 * idempotent and only touches what it recognises as ours: our iptables chains (LKCHAOS-*), our
 * cgroups (latchkey-chaos-*), and the manifest's processes.
 */
import { readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../cluster/manifest.ts';
import { isOurProcessAlive, isStopped, sendSignal } from '../../cluster/processes.ts';
import { detectCapabilities } from './capabilities.ts';
import { runCommand } from './run-command.ts';
import { regionProcess, startNats, startNode, stop } from './region-processes.ts';

async function removeChains(log: (line: string) => void): Promise<void> {
  const listed = await runCommand('iptables', ['-S']);
  if (listed.code !== 0) return;
  const chains = listed.stdout.split('\n').flatMap((l) => (/^-N (LKCHAOS-\S+)$/.exec(l.trim())?.slice(1, 2) ?? []));
  for (const chain of chains) {
    // Every jump to it (normally one; bounded in case iptables keeps answering 0).
    for (let i = 0; i < 20 && (await runCommand('iptables', ['-D', 'OUTPUT', '-j', chain])).code === 0; i++);
    await runCommand('iptables', ['-F', chain]);
    await runCommand('iptables', ['-X', chain]);
    log(`removed iptables chain ${chain}`);
  }
}

async function removeCgroups(root: string, log: (line: string) => void): Promise<void> {
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n.startsWith('latchkey-chaos-'));
  for (const name of names) {
    const pids = (await readFile(join(root, name, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter((p) => p !== '');
    for (const pid of pids) await writeFile(join(root, 'cgroup.procs'), `${pid}\n`).catch(() => undefined);
    await rmdir(join(root, name)).catch(() => undefined);
    log(`removed cgroup ${name}${pids.length > 0 ? ` (moved ${pids.length} process(es) back to the root cgroup)` : ''}`);
  }
}

/** True when a running node was started with something else than its manifest environment (a proxy, a fake clock). */
async function runsAltered(pid: number, env: Readonly<Record<string, string>>): Promise<boolean> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => null);
  if (raw === null) return false;
  const vars = new Map(raw.split('\0').filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return vars.has('FAKETIME') || vars.get('LATCHKEY_NATS_URLS') !== env.LATCHKEY_NATS_URLS;
}

export async function heal(base: string, manifest: Manifest, log: (line: string) => void): Promise<void> {
  for (const region of manifest.regions) {
    for (const proc of [regionProcess(manifest, region, 'nats'), regionProcess(manifest, region, 'node')]) {
      if (isOurProcessAlive(proc.pid, proc.needle) && isStopped(proc.pid)) {
        sendSignal(proc.pid, 'SIGCONT');
        log(`resumed ${proc.label} (pid ${proc.pid})`);
      }
    }
  }
  const caps = await detectCapabilities();
  if (caps.root && caps.iptables !== null) await removeChains(log);
  if (caps.root && caps.cgroup2 !== null) await removeCgroups(caps.cgroup2, log);
  for (const region of manifest.regions) {
    const nats = regionProcess(manifest, region, 'nats');
    if (!isOurProcessAlive(nats.pid, nats.needle)) log(`started nats-server ${region.name} (pid ${await startNats(base, region.name)})`);
    const node = regionProcess(manifest, region, 'node');
    const alive = isOurProcessAlive(node.pid, node.needle);
    if (alive && !(await runsAltered(node.pid, region.nodeEnv))) continue;
    if (alive) await stop(node, 'SIGTERM');
    log(`${alive ? 'restarted' : 'started'} node ${region.name} with its manifest environment (pid ${await startNode(base, region.name)})`);
  }
}
