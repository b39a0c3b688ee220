/**
 * `pnpm chaos node-kill [--region R]`: SIGKILL a region node (mid-write, when a load runs) and,
 * at the end, start it again with the same environment. A SIGKILL gives the node no chance to
 * flush or say goodbye, which is what the store's synced batches and the stream's redelivery are
 * for: nothing it acknowledged may be lost.
 */
import { regionProcess, startNode, stop, targetRegion } from '../lib/region-processes.ts';
import type { Scenario } from '../lib/scenario.ts';

export const nodeKill: Scenario = {
  name: 'node-kill',
  summary: 'kill -9 a region node, keep it down for the duration, start it again with the same env',
  holds: true,
  async inject(ctx) {
    const manifest = await ctx.manifest();
    const region = targetRegion(manifest, ctx.region);
    const node = regionProcess(manifest, region, 'node');
    await stop(node, 'SIGKILL');
    ctx.log(`killed ${node.label} (pid ${node.pid}) with SIGKILL`);
    ctx.onUndo(`restart node ${region.name}`, async () => {
      const startedAt = Date.now();
      const pid = await startNode(ctx.base, region.name);
      ctx.log(`node ${region.name} restarted (pid ${pid}), ready after ${Date.now() - startedAt} ms`);
    });
    return { target: region.name, method: 'SIGKILL, then restart with the manifest environment' };
  },
};
