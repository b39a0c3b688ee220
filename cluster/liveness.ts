/**
 * Which processes of a cluster at a base are alive, judged from the manifest and from what an
 * interrupted cluster:up left in starting.json. Shared by up (refuse to start twice), status and down.
 */
import { readManifestIfAny, type Manifest } from './manifest.ts';
import { isOurProcessAlive } from './processes.ts';
import { readStartedProcesses, type StartedProcess } from './started-processes.ts';

/** Every process the manifest names, with the command-line needle that proves it is still ours. */
export function manifestProcesses(manifest: Manifest): StartedProcess[] {
  return manifest.regions.flatMap((r) => [
    { role: 'node' as const, pid: r.pid, needle: manifest.nodeEntry ?? 'main.ts', label: `node ${r.name}` },
    { role: 'nats' as const, pid: r.natsPid, needle: r.natsConfigPath ?? 'nats-server', label: `nats-server ${r.name}` },
  ]);
}

export interface BaseState {
  readonly manifest: Manifest | null;
  /** Manifest processes plus leftovers from starting.json, without duplicates. */
  readonly processes: readonly StartedProcess[];
  readonly alive: readonly StartedProcess[];
}

export async function inspectBase(base: string): Promise<BaseState> {
  const manifest = await readManifestIfAny(base);
  const fromManifest = manifest ? manifestProcesses(manifest) : [];
  const leftovers = (await readStartedProcesses(base)).filter((p) => !fromManifest.some((m) => m.pid === p.pid));
  const processes = [...fromManifest, ...leftovers];
  return { manifest, processes, alive: processes.filter((p) => isOurProcessAlive(p.pid, p.needle)) };
}
