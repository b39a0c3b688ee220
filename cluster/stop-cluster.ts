/**
 * cluster:down, as a function: stop every node and NATS server of the base (nodes first), make
 * sure they are gone, remove the manifest; with purge, delete the base folder too.
 */
import { access, rm } from 'node:fs/promises';
import { ClusterError } from './cluster-error.ts';
import { markerPath, startingPath } from './layout.ts';
import { inspectBase } from './liveness.ts';
import { removeManifest } from './manifest.ts';
import { stopInOrder } from './started-processes.ts';

export interface StopResult {
  /** Labels of the processes that were running and are now stopped. */
  readonly stopped: readonly string[];
  readonly hadManifest: boolean;
  readonly purged: boolean;
}

async function isOurs(base: string): Promise<boolean> {
  try {
    await access(markerPath(base));
    return true;
  } catch {
    return false;
  }
}

export async function stopCluster(base: string, options: { purge: boolean; graceMs?: number }): Promise<StopResult> {
  const state = await inspectBase(base);
  const left = await stopInOrder(state.alive, options.graceMs ?? 10_000);
  if (left.length > 0) {
    // Keep the manifest: it is the only record of these pids.
    throw new ClusterError(`still running after SIGKILL: ${left.map((p) => `${p.label} pid ${p.pid}`).join(', ')}; the manifest is kept`);
  }
  await removeManifest(base);
  await rm(startingPath(base), { force: true });
  let purged = false;
  if (options.purge) {
    // Only a folder cluster:up made: a mistyped --base must never delete someone's files.
    if (await isOurs(base)) {
      await rm(base, { recursive: true, force: true });
      purged = true;
    } else if (await access(base).then(() => true, () => false)) {
      throw new ClusterError(`${base} was not made by cluster:up (no ${markerPath(base)}); not deleting it`);
    }
  }
  return { stopped: state.alive.map((p) => `${p.label} (pid ${p.pid})`), hadManifest: state.manifest !== null, purged };
}
