/** `pnpm chaos region-partition [--region R]`: one region cut off from the others (its NATS server and node). */
import { isolateRegion } from '../lib/partition.ts';
import { targetRegion } from '../lib/region-processes.ts';
import type { Scenario } from '../lib/scenario.ts';

export const regionPartition: Scenario = {
  name: 'region-partition',
  summary: 'cut one region (its nats-server and node) off from the other regions',
  holds: true,
  async inject(ctx) {
    const manifest = await ctx.manifest();
    return isolateRegion(ctx, manifest, targetRegion(manifest, ctx.region));
  },
};
