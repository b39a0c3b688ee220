/** `pnpm cluster:down [--base ./.cluster] [--purge]`: see README.md. */
import { parseDownArgs, USAGE } from './args.ts';
import { runCommand } from './cluster-error.ts';
import { stopCluster } from './stop-cluster.ts';

runCommand('down', async () => {
  const args = parseDownArgs(process.argv.slice(2), process.cwd());
  if (args.help) {
    process.stdout.write(`${USAGE.down}\n`);
    return 0;
  }
  const result = await stopCluster(args.base, { purge: args.purge });
  const lines = [
    result.stopped.length > 0 ? `stopped ${result.stopped.join(', ')}` : `nothing was running at ${args.base}${result.hadManifest ? ' (removed the stale manifest)' : ''}`,
    ...(result.purged ? [`deleted ${args.base}`] : args.purge ? [`${args.base} did not exist`] : [`data kept under ${args.base} (pnpm cluster:down --purge deletes it)`]),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
});
