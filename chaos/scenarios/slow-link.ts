/**
 * `pnpm chaos slow-link [--region R] [--latency-ms 150]`: the link between a region's node and its
 * NATS server gets `latency-ms` more delay in each direction, through a TCP proxy that lives in
 * this process (tc netem is not available on these machines). The node is restarted pointed at the
 * proxy only (its normal URL list names every server and it would pick any), and restarted again
 * with its normal environment at the end; each restart is a short node outage of its own, which a
 * drill shows. Every control-plane write of that region, and its replication feed, then pays about
 * two round trips of the added delay.
 *
 * Why not the routes between servers: nats-server 2.9 reloads `cluster.routes` on SIGHUP, but the
 * peers re-dial the old direct address and route gossip brings it back, so a route proxy only
 * holds if every server's config is rewritten at once; a node-to-server link is deterministic.
 */
import { findRegion, portOf, regionProcess, startNode, stop, targetRegion } from '../lib/region-processes.ts';
import type { Scenario } from '../lib/scenario.ts';
import { startLatencyProxy } from '../lib/tcp-proxy.ts';

export const slowLink: Scenario = {
  name: 'slow-link',
  summary: "add latency to the link between a region's node and its NATS server (TCP proxy)",
  holds: true,
  async inject(ctx) {
    const manifest = await ctx.manifest();
    const region = targetRegion(manifest, ctx.region);
    const latencyMs = ctx.options.latencyMs;
    const proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: portOf(region.natsUrl), latencyMs });
    ctx.log(`proxy 127.0.0.1:${proxy.port} -> ${region.natsUrl} adding ${latencyMs} ms each way`);
    ctx.onUndo(`close the proxy on port ${proxy.port}`, () => proxy.close());

    const node = regionProcess(manifest, region, 'node');
    await stop(node, 'SIGTERM');
    ctx.onUndo(`restart node ${region.name} with its normal NATS URLs`, async () => {
      const now = await ctx.manifest();
      await stop(regionProcess(now, findRegion(now, region.name), 'node'), 'SIGTERM').catch(() => undefined); // already gone: just start it
      const pid = await startNode(ctx.base, region.name);
      ctx.log(`node ${region.name} back on its own NATS URLs (pid ${pid})`);
    });
    const startedAt = Date.now();
    const pid = await startNode(ctx.base, region.name, { LATCHKEY_NATS_URLS: `nats://127.0.0.1:${proxy.port}` });
    ctx.log(`node ${region.name} restarted through the proxy (pid ${pid}) in ${Date.now() - startedAt} ms`);
    return { target: region.name, method: `TCP proxy +${latencyMs} ms each way between node and nats-server (node restarted onto it)` };
  },
};
