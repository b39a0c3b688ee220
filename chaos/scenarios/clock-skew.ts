/**
 * `pnpm chaos clock-skew [--region R] [--skew-ms 300000]`: the region's node runs with its wall
 * clock moved by skew-ms, through libfaketime (LD_PRELOAD, `apt-get install faketime`); at the end it
 * is restarted on the true clock. Monotonic time stays real (DONT_FAKE_MONOTONIC), so timers and
 * time-outs behave; only what the node believes the date is changes: creation dates, rotation
 * schedules, the lag it computes from publish times. NATS and the other regions keep true time.
 *
 * The multi-threaded build of the library is used because Node runs several threads.
 */
import { detectCapabilities } from '../lib/capabilities.ts';
import { findRegion, regionProcess, startNode, stop, targetRegion } from '../lib/region-processes.ts';
import type { Scenario } from '../lib/scenario.ts';

/** libfaketime's relative offset syntax: "+300s" or "-1.5s". */
export const faketimeOffset = (skewMs: number): string => `${skewMs >= 0 ? '+' : '-'}${Math.abs(skewMs) / 1000}s`;

export const clockSkew: Scenario = {
  name: 'clock-skew',
  summary: "move one region node's wall clock (libfaketime), then restart it on true time",
  holds: true,
  async inject(ctx) {
    const caps = await detectCapabilities();
    if (caps.faketime === null) throw new Error('libfaketime is not installed (apt-get install faketime)');
    const manifest = await ctx.manifest();
    const region = targetRegion(manifest, ctx.region);
    const node = regionProcess(manifest, region, 'node');
    await stop(node, 'SIGTERM');
    ctx.onUndo(`restart node ${region.name} on the true clock`, async () => {
      const now = await ctx.manifest();
      await stop(regionProcess(now, findRegion(now, region.name), 'node'), 'SIGTERM').catch(() => undefined); // already gone: just start it
      const pid = await startNode(ctx.base, region.name);
      ctx.log(`node ${region.name} back on the true clock (pid ${pid})`);
    });
    const offset = faketimeOffset(ctx.options.skewMs);
    const pid = await startNode(ctx.base, region.name, { LD_PRELOAD: caps.faketime, FAKETIME: offset, DONT_FAKE_MONOTONIC: '1' });
    ctx.log(`node ${region.name} restarted with its clock at ${offset} (pid ${pid})`);
    return { target: region.name, method: `libfaketime FAKETIME=${offset}` };
  },
};
