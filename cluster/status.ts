/** `pnpm cluster:status [--base ./.cluster] [--json]`: exits 1 if any region is down. See README.md. */
import { parseStatusArgs, USAGE } from './args.ts';
import { ClusterError, runCommand } from './cluster-error.ts';
import { clusterStatus } from './cluster-status.ts';
import { inspectBase } from './liveness.ts';
import { readManifest } from './manifest.ts';
import { renderStatusTable } from './status-table.ts';

runCommand('status', async () => {
  const args = parseStatusArgs(process.argv.slice(2), process.cwd());
  if (args.help) {
    process.stdout.write(`${USAGE.status}\n`);
    return 0;
  }
  const state = await inspectBase(args.base);
  if (!state.manifest && state.alive.length > 0) {
    const list = state.alive.map((p) => `${p.label} (pid ${p.pid})`).join(', ');
    throw new ClusterError(`cluster:up is still starting at ${args.base}, or was interrupted (running: ${list}); wait for it, or stop them with pnpm cluster:down`);
  }
  const manifest = await readManifest(args.base);
  const statuses = await clusterStatus(manifest);
  process.stdout.write(args.json ? `${JSON.stringify({ regions: statuses }, null, 2)}\n` : `${renderStatusTable(statuses)}\n`);
  return statuses.every((s) => s.up) ? 0 : 1;
});
