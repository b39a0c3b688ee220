/**
 * The processes cluster:up has started so far, kept in `<base>/starting.json` as they start. If up
 * fails it stops them itself; if up is killed outright, cluster:down still finds them there. The
 * file goes away once the manifest (which lists them all) is written.
 */
import { readFile, rm } from 'node:fs/promises';
import { ClusterError } from './cluster-error.ts';
import { startingPath } from './layout.ts';
import { writeFileAtomic } from './manifest.ts';
import { stopProcesses, type OwnedProcess } from './processes.ts';

export interface StartedProcess extends OwnedProcess {
  readonly role: 'nats' | 'node';
}

export class StartedProcesses {
  readonly #path: string;
  readonly #procs: StartedProcess[] = [];

  constructor(base: string) {
    this.#path = startingPath(base);
  }

  get all(): readonly StartedProcess[] {
    return this.#procs;
  }

  async add(proc: StartedProcess): Promise<void> {
    this.#procs.push(proc);
    await writeFileAtomic(this.#path, `${JSON.stringify(this.#procs, null, 2)}\n`, 0o600);
  }

  /** Forgets a process that has already exited (a start attempt that failed). */
  async drop(pid: number): Promise<void> {
    const i = this.#procs.findIndex((p) => p.pid === pid);
    if (i >= 0) this.#procs.splice(i, 1);
    await writeFileAtomic(this.#path, `${JSON.stringify(this.#procs, null, 2)}\n`, 0o600);
  }

  /** After a failure: stop everything, nodes first (they hold NATS connections), then servers. */
  async stopAll(): Promise<OwnedProcess[]> {
    const left = await stopInOrder(this.#procs);
    if (left.length === 0) await this.forget();
    return left;
  }

  /** The manifest now lists them (or they are all gone): the file has served its purpose. */
  async forget(): Promise<void> {
    await rm(this.#path, { force: true });
  }
}

/** Nodes first (they hold NATS connections and flush their stores), then the NATS servers. */
export async function stopInOrder(procs: readonly StartedProcess[], graceMs = 10_000): Promise<OwnedProcess[]> {
  const nodesLeft = await stopProcesses(procs.filter((p) => p.role === 'node'), graceMs);
  const natsLeft = await stopProcesses(procs.filter((p) => p.role === 'nats'), graceMs);
  return [...nodesLeft, ...natsLeft];
}

/** What an interrupted cluster:up left in starting.json, or nothing. */
export async function readStartedProcesses(base: string): Promise<StartedProcess[]> {
  try {
    const data = JSON.parse(await readFile(startingPath(base), 'utf8')) as unknown;
    if (!Array.isArray(data)) throw new Error('not a list');
    return data.filter((p): p is StartedProcess => typeof p?.pid === 'number' && typeof p?.needle === 'string' && typeof p?.label === 'string' && (p?.role === 'node' || p?.role === 'nats'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ClusterError(`${startingPath(base)} is unreadable (${(error as Error).message}); stop its processes by hand and remove it`);
  }
}
