/** `pnpm cluster:up [--regions eu,us,ap] [--base ./.cluster]`: see README.md. */
import { resolve } from 'node:path';
import { DEFAULT_BASE, parseUpArgs, USAGE } from './args.ts';
import { runCommand } from './cluster-error.ts';
import { startCluster } from './start-cluster.ts';
import { upSummary } from './up-summary.ts';

const log = (line: string): void => {
  process.stderr.write(`cluster:up: ${line}\n`);
};

runCommand('up', async () => {
  const args = parseUpArgs(process.argv.slice(2), process.cwd());
  if (args.help) {
    process.stdout.write(`${USAGE.up}\n`);
    return 0;
  }
  const manifest = await startCluster({ regions: args.regions, base: args.base, log });
  process.stdout.write(`${upSummary(manifest, args.base === resolve(process.cwd(), DEFAULT_BASE))}\n`);
  return 0;
});
