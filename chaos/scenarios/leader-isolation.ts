/**
 * `pnpm chaos leader-isolation`: isolate the region whose nats-server leads the replication stream.
 * Losing a follower costs the control plane nothing; losing the leader blocks writes until the
 * remaining servers elect a new one (4-9 s on nats-server 2.9), which is what this rehearses.
 */
import { isolateRegion } from '../lib/partition.ts';
import { findRegion } from '../lib/region-processes.ts';
import type { Scenario } from '../lib/scenario.ts';
import { streamLeader } from '../lib/stream-leader.ts';

export const leaderIsolation: Scenario = {
  name: 'leader-isolation',
  summary: 'cut off the region that holds the replication stream leader',
  holds: true,
  async inject(ctx) {
    const manifest = await ctx.manifest();
    const stream = manifest.regions[0]?.nodeEnv.LATCHKEY_STREAM ?? 'LATCHKEY';
    const leader = await streamLeader(manifest, stream);
    if (leader === null) throw new Error(`no server names a leader for stream ${stream} (is the cluster up? pnpm cluster:status)`);
    if (ctx.region !== null && ctx.region !== leader) ctx.log(`ignoring --region ${ctx.region}: the stream leader is ${leader}`);
    ctx.log(`stream ${stream} leader is ${leader}`);
    const injected = await isolateRegion(ctx, manifest, findRegion(manifest, leader));
    // Registered last, so it runs first on heal: it shows who took over while the old leader was away.
    ctx.onUndo('report the stream leader elected meanwhile', async () => {
      ctx.log(`stream ${stream} leader at the end of the isolation: ${(await streamLeader(await ctx.manifest(), stream)) ?? 'none'}`);
    });
    return injected;
  },
};
