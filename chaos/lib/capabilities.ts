/**
 * What this machine lets a chaos scenario do, found by trying (not by guessing from the OS):
 *
 * - SIGSTOP/SIGCONT of our own processes always works; it needs no privilege.
 * - Cutting links needs root and iptables with the `cgroup` match: rules drop packets on the
 *   region's NATS ports, and the region's node and server are moved into a cgroup so that their own
 *   outgoing connections to the other servers are cut too (the node's NATS client picks a random
 *   server of the list, so cutting the region's server alone would not isolate the node). nft's own
 *   `socket cgroupv2` match looks the path up under /sys/fs/cgroup, which fails on hybrid cgroup
 *   hosts like this one; iptables' match resolves the path in the kernel, so it works on both.
 * - Clock skew needs libfaketime (`apt-get install faketime`).
 */
import { access, mkdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionMethod } from './scenario.ts';
import { runCommand } from './run-command.ts';

export interface Capabilities {
  readonly root: boolean;
  /** `iptables --version`, or null when there is none that works. */
  readonly iptables: string | null;
  /** Where cgroup v2 is mounted, or null. */
  readonly cgroup2: string | null;
  /** An iptables rule with `-m cgroup --path` could be added and removed. */
  readonly cgroupMatch: boolean;
  /** The multi-threaded libfaketime, or null. */
  readonly faketime: string | null;
  /** Why a capability is missing, one sentence each. */
  readonly notes: readonly string[];
}

export interface PartitionPlan {
  readonly firewall: boolean;
  readonly pause: boolean;
  /** What the log and the report say about the method. */
  readonly method: string;
  readonly note: string | null;
}

export const FAKETIME_LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/faketime/libfaketimeMT.so.1'];

export const canFirewall = (caps: Capabilities): boolean => caps.root && caps.iptables !== null && caps.cgroup2 !== null && caps.cgroupMatch;

/** Pure: the requested method against what the machine allows. Throws when an explicit method is impossible. */
export function planPartition(caps: Capabilities, requested: PartitionMethod): PartitionPlan {
  const firewallMethod = 'iptables DROP on its NATS ports + cgroup match on its processes';
  if (requested === 'pause') return { firewall: false, pause: true, method: 'SIGSTOP of node and nats-server', note: null };
  if (canFirewall(caps)) {
    return requested === 'both'
      ? { firewall: true, pause: true, method: `${firewallMethod}, and SIGSTOP`, note: null }
      : { firewall: true, pause: false, method: firewallMethod, note: null };
  }
  const why = caps.notes.join('; ') || 'firewall rules are not available';
  if (requested !== 'auto') throw new Error(`--method ${requested} needs root, iptables with the cgroup match and cgroup v2: ${why}`);
  return { firewall: false, pause: true, method: 'SIGSTOP of node and nats-server', note: `links not cut (${why}); paused the processes instead` };
}

async function cgroup2Mount(): Promise<string | null> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const line = mounts.split('\n').find((l) => l.split(' ')[2] === 'cgroup2');
  return line ? line.split(' ')[1]! : null;
}

async function probeCgroupMatch(cgroup2: string): Promise<string | null> {
  const name = `latchkey-chaos-probe-${process.pid}`;
  const chain = `LKPROBE-${process.pid}`;
  try {
    await mkdir(join(cgroup2, name));
  } catch (error) {
    return `cannot create a cgroup under ${cgroup2} (${(error as Error).message})`;
  }
  try {
    const created = await runCommand('iptables', ['-N', chain]);
    if (created.code !== 0) return `iptables -N failed: ${created.stderr.trim()}`;
    const rule = await runCommand('iptables', ['-A', chain, '-p', 'tcp', '-m', 'cgroup', '--path', name, '-j', 'RETURN']);
    await runCommand('iptables', ['-F', chain]);
    await runCommand('iptables', ['-X', chain]);
    return rule.code === 0 ? null : `iptables has no cgroup match: ${rule.stderr.trim()}`;
  } finally {
    await rmdir(join(cgroup2, name)).catch(() => undefined);
  }
}

async function firstExisting(paths: readonly string[]): Promise<string | null> {
  for (const path of paths) if (await access(path).then(() => true, () => false)) return path;
  return null;
}

let detected: Promise<Capabilities> | null = null;

/** Probed once per process (about half a second of iptables and cgroup calls), then remembered. */
export function detectCapabilities(): Promise<Capabilities> {
  detected ??= probeCapabilities();
  return detected;
}

async function probeCapabilities(): Promise<Capabilities> {
  const notes: string[] = [];
  const root = process.getuid?.() === 0;
  if (!root) notes.push('not running as root');
  const version = root ? await runCommand('iptables', ['--version']) : null;
  const iptables = version !== null && version.code === 0 ? version.stdout.trim() : null;
  if (root && iptables === null) notes.push('no working iptables (apt-get install iptables)');
  const cgroup2 = await cgroup2Mount();
  if (cgroup2 === null) notes.push('cgroup v2 is not mounted');
  const cgroupProblem = root && iptables !== null && cgroup2 !== null ? await probeCgroupMatch(cgroup2) : 'not tried';
  if (cgroupProblem !== null && cgroupProblem !== 'not tried') notes.push(cgroupProblem);
  const faketime = await firstExisting(FAKETIME_LIBS);
  return { root, iptables, cgroup2, cgroupMatch: cgroupProblem === null, faketime, notes };
}
