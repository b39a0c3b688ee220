/**
 * Cutting a region's links with iptables, undone step by step. All rules live in one chain of
 * our own (`LKCHAOS-<name>`), jumped to from OUTPUT: on loopback every packet, in either
 * direction, passes OUTPUT, so a DROP there silences a link both ways, like a real partition (the
 * peers see no reset, only silence, and find out through their ping time-outs).
 *
 * The rules:
 * - every packet to or from the region's NATS client and route ports: nobody reaches its server;
 * - the region's processes are moved into a cgroup, and packets from that cgroup to the other
 *   servers' ports are dropped: new connections the node or server opens to the rest are cut;
 * - connections they already hold to the other servers are cut by their two ports (a socket keeps
 *   the cgroup it was created in, so the cgroup rule does not see them).
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionsTo } from './process-sockets.ts';
import { runCommand } from './run-command.ts';

export interface LinkCut {
  /** Names the chain and the cgroup: letters, digits and dashes. */
  readonly name: string;
  /** Every packet to or from these ports is dropped. */
  readonly ports: readonly number[];
  /** Processes whose own connections to `peerPorts` are cut. */
  readonly processes: readonly { readonly pid: number; readonly label: string }[];
  readonly peerPorts: readonly number[];
}

export const chainName = (name: string): string => `LKCHAOS-${name}`.slice(0, 28);
export const cgroupName = (name: string): string => `latchkey-chaos-${name}`;

type OnUndo = (label: string, undo: () => Promise<void>) => void;

/** The iptables rule arguments (after `-A <chain>`), pure so that the rule set is unit-tested. */
export function cutRules(cut: LinkCut, held: readonly { readonly localPort: number; readonly remotePort: number }[]): string[][] {
  const drop = ['-j', 'DROP'];
  const byPort = cut.ports.flatMap((port) => [
    ['-p', 'tcp', '--dport', String(port), ...drop],
    ['-p', 'tcp', '--sport', String(port), ...drop],
  ]);
  // Both ports of a held connection: Linux may reuse an ephemeral port towards another destination,
  // and that other connection must stay up.
  const byConnection = held.flatMap(({ localPort, remotePort }) => [
    ['-p', 'tcp', '--sport', String(localPort), '--dport', String(remotePort), ...drop],
    ['-p', 'tcp', '--sport', String(remotePort), '--dport', String(localPort), ...drop],
  ]);
  // multiport takes at most 15 ports per rule.
  const peerRules: string[][] = [];
  for (let i = 0; i < cut.peerPorts.length; i += 15) {
    const ports = cut.peerPorts.slice(i, i + 15).join(',');
    peerRules.push(['-p', 'tcp', '-m', 'cgroup', '--path', cgroupName(cut.name), '-m', 'multiport', '--dports', ports, ...drop]);
  }
  return [...byPort, ...byConnection, ...peerRules];
}

async function cgroupOf(pid: number): Promise<string> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
  const unified = lines.find((l) => l.startsWith('0::'));
  return unified ? unified.slice(3) : '/';
}

async function moveInto(cgroupRoot: string, path: string, pid: number): Promise<void> {
  await writeFile(join(cgroupRoot, path, 'cgroup.procs'), `${pid}\n`);
}

/** iptables-restore input: applied in one transaction, so the cut starts at one moment and costs one exec. */
export function restoreScript(lines: readonly string[]): string {
  return `*filter\n${lines.join('\n')}\nCOMMIT\n`;
}

async function restore(lines: readonly string[]): Promise<void> {
  const result = await runCommand('iptables-restore', ['--noflush'], 10_000, restoreScript(lines));
  if (result.code !== 0) throw new Error(`iptables-restore failed (${result.code}): ${result.stderr.trim()}`);
}

export async function cutLinks(cut: LinkCut, cgroupRoot: string, onUndo: OnUndo, log: (line: string) => void): Promise<void> {
  const chain = chainName(cut.name);
  const exists = await runCommand('iptables', ['-S', chain]);
  if (exists.code === 0) throw new Error(`iptables chain ${chain} already exists: an earlier run left it; run pnpm chaos heal`);

  const group = cgroupName(cut.name);
  await mkdir(join(cgroupRoot, group), { recursive: true });
  const moved: { pid: number; from: string; label: string }[] = [];
  onUndo(`cgroup ${group}`, async () => {
    for (const p of moved) await moveInto(cgroupRoot, p.from, p.pid).catch(() => undefined); // gone meanwhile: nothing to move back
    await rmdir(join(cgroupRoot, group));
  });
  for (const p of cut.processes) {
    const from = await cgroupOf(p.pid);
    await moveInto(cgroupRoot, group, p.pid);
    moved.push({ pid: p.pid, from, label: p.label });
  }

  const held = (await Promise.all(cut.processes.map((p) => connectionsTo(p.pid, cut.peerPorts)))).flat();
  // The chain, its rules and the jump to it from OUTPUT in one transaction; undone in one too.
  await restore([`:${chain} - [0:0]`, ...cutRules(cut, held).map((rule) => `-A ${chain} ${rule.join(' ')}`), `-I OUTPUT 1 -j ${chain}`]);
  onUndo(`iptables chain ${chain}`, () => restore([`-D OUTPUT -j ${chain}`, `-F ${chain}`, `-X ${chain}`]));
  log(`dropping ports ${cut.ports.join(', ')}; ${cut.processes.map((p) => p.label).join(' and ')} cut from ports ${cut.peerPorts.join(', ')}` +
    (held.length > 0 ? ` (including ${held.length} open connection(s))` : ''));
}
