/** CPU accounting from Linux /proc: per-CPU busy time and the CPU time of a process tree. */
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in ticks of 1/100 s on Linux. */
const TICKS_PER_SECOND = 100;

/** Busy and total ticks of each CPU (busy counts user, nice, system, irq, softirq and steal). */
export function coreTimes(): { busy: number; total: number }[] {
  return readFileSync('/proc/stat', 'latin1').split('\n').filter((l) => /^cpu\d+ /.test(l)).map((l) => {
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = l.split(/\s+/).slice(1, 9).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  });
}

/** Busy share of each CPU between two coreTimes() readings. */
export function coresBusyBetween(before: readonly { busy: number; total: number }[], after: readonly { busy: number; total: number }[]): number[] {
  return after.map((c, i) => {
    const b = before[i] ?? { busy: 0, total: 0 };
    return c.total > b.total ? (c.busy - b.busy) / (c.total - b.total) : Number.NaN;
  });
}

/** CPU seconds (user + system) of a process and all its descendants; 0 once it is gone. */
export function cpuSeconds(rootPid: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  const wanted = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (wanted.has(parent) && !wanted.has(pid)) {
        wanted.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of wanted) total += ticks.get(pid) ?? 0;
  return total / TICKS_PER_SECOND;
}
