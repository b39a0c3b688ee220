/**
 * The TCP connections a process holds, read from /proc: which local port talks to which remote
 * port. A firewall cut needs them because moving a process into a cgroup only affects sockets it
 * opens afterwards; connections it already has are cut by their local port instead.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface TcpConnection {
  readonly localPort: number;
  readonly remotePort: number;
  readonly inode: string;
}

const ESTABLISHED = '01';

/** Parses /proc/<pid>/net/tcp (and tcp6): established connections with their socket inode. */
export function parseProcNetTcp(text: string): TcpConnection[] {
  return text.split('\n').slice(1).flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== ESTABLISHED) return [];
    const port = (address: string): number => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
    return [{ localPort: port(fields[1]!), remotePort: port(fields[2]!), inode: fields[9]! }];
  });
}

/** Socket inodes open in a process, from the `socket:[inode]` links in /proc/<pid>/fd. */
async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]!);
  }
  return inodes;
}

/** The established TCP connections of `pid` whose remote port is one of `remotePorts`. */
export async function connectionsTo(pid: number, remotePorts: readonly number[]): Promise<TcpConnection[]> {
  const inodes = await socketInodes(pid);
  const tables = await Promise.all(['tcp', 'tcp6'].map((name) => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => '')));
  return tables.flatMap(parseProcNetTcp).filter((c) => inodes.has(c.inode) && remotePorts.includes(c.remotePort));
}
