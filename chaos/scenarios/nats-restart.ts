/**
 * `pnpm chaos nats-restart`: a rolling restart of the NATS servers, one by one (SIGTERM, wait
 * --duration-ms, start it again from its config file), each waited for until it is healthy again
 * (monitor /healthz ok, which nats-server 2.9 only says once its streams have caught up) before the
 * next one goes down, as an operator upgrading NATS would do it. With --region only that server.
 */
import { holdFor } from '../lib/scenario-runner.ts';
import { findRegion, regionProcess, startNats, stop } from '../lib/region-processes.ts';
import type { Scenario } from '../lib/scenario.ts';
import { isOurProcessAlive } from '../../cluster/processes.ts';

export const natsRestart: Scenario = {
  name: 'nats-restart',
  summary: 'restart the NATS servers one by one, waiting for health in between',
  holds: false,
  async inject(ctx) {
    const first = await ctx.manifest();
    const names = ctx.region === null ? first.regions.map((r) => r.name) : [findRegion(first, ctx.region).name];
    // Keeps each server's downtime inside the duration while leaving room for the waits in between.
    const downMs = Math.max(0, Math.round(ctx.durationMs / names.length / 2));
    for (const name of names) {
      if (ctx.signal.aborted) break;
      const manifest = await ctx.manifest();
      const nats = regionProcess(manifest, findRegion(manifest, name), 'nats');
      const startedAt = Date.now();
      await stop(nats, 'SIGTERM');
      ctx.log(`stopped ${nats.label} (pid ${nats.pid})`);
      // If this run is cut short before the start below, the undo brings the server back.
      ctx.onUndo(`make sure nats-server ${name} runs`, async () => {
        const now = await ctx.manifest();
        const current = regionProcess(now, findRegion(now, name), 'nats');
        if (!isOurProcessAlive(current.pid, current.needle)) await startNats(ctx.base, name);
      });
      await holdFor(downMs, ctx.signal);
      const pid = await startNats(ctx.base, name);
      ctx.log(`nats-server ${name} back (pid ${pid}) and healthy after ${Date.now() - startedAt} ms`);
    }
    return { target: names.join(','), method: 'SIGTERM, restart from its config file, wait for /healthz ok' };
  },
};
