/**
 * Isolating one region from the others, shared by region-partition and leader-isolation. The
 * method comes from planPartition: cut the links when the machine allows it (the node keeps
 * running and keeps serving its data plane from memory, as a real cut-off region would), else
 * pause the region's nats-server and node with SIGSTOP (the region is silent, as if its machines
 * had frozen).
 */
import type { Manifest, ManifestRegion } from '../../cluster/manifest.ts';
import { detectCapabilities, planPartition } from './capabilities.ts';
import { cutLinks } from './firewall.ts';
import { pause, portOf, regionProcess, requireAlive, resume } from './region-processes.ts';
import type { ChaosContext, Injected } from './scenario.ts';

/** The ports that carry a region's NATS traffic: its client port and its route port. */
export function natsPorts(region: ManifestRegion): number[] {
  return [portOf(region.natsUrl), ...(region.natsClusterPort === null ? [] : [region.natsClusterPort])];
}

export async function isolateRegion(ctx: ChaosContext, manifest: Manifest, region: ManifestRegion): Promise<Injected> {
  if (manifest.regions.length < 2) throw new Error('a partition needs at least two regions');
  const caps = await detectCapabilities();
  const plan = planPartition(caps, ctx.options.method);
  if (plan.note !== null) ctx.log(plan.note);
  const node = regionProcess(manifest, region, 'node');
  const nats = regionProcess(manifest, region, 'nats');
  requireAlive(node);
  requireAlive(nats);
  if (plan.firewall) {
    const others = manifest.regions.filter((r) => r.name !== region.name);
    await cutLinks({
      name: region.name,
      ports: natsPorts(region),
      processes: [{ pid: nats.pid, label: nats.label }, { pid: node.pid, label: node.label }],
      peerPorts: others.flatMap(natsPorts),
    }, caps.cgroup2!, ctx.onUndo, ctx.log);
  }
  if (plan.pause) {
    for (const proc of [nats, node]) {
      // Registered first: if the pause is only half done, SIGCONT still runs.
      ctx.onUndo(`SIGCONT ${proc.label} (pid ${proc.pid})`, async () => resume(proc));
      await pause(proc);
      ctx.log(`paused ${proc.label} (pid ${proc.pid}) with SIGSTOP`);
    }
  }
  return { target: region.name, method: plan.method };
}
