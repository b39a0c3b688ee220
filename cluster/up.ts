/** `pnpm cluster:up [--regions eu,us,ap] [--base ./.cluster]`: see README.md. */
import { resolve } from 'node:path';
import { DEFAULT_BASE, parseUpArgs, USAGE } from './args.ts';
import { replacePreviousAwsCredential, withAwsCredential } from './aws-credential.ts';
import { runCommand } from './cluster-error.ts';
import { writeManifest, type Manifest } from './manifest.ts';
import { startCluster } from './start-cluster.ts';
import { stopCluster } from './stop-cluster.ts';
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
  const started = await startCluster({ regions: args.regions, base: args.base, log });
  let manifest: Manifest;
  try {
    manifest = await withAwsCredential(started, { log });
  } catch (error) {
    // As for any other failed step of up: leave no process behind.
    await stopCluster(args.base, { purge: false }).catch(() => undefined);
    throw error;
  }
  await writeManifest(manifest);
  await replacePreviousAwsCredential(manifest, log);
  process.stdout.write(`${upSummary(manifest, args.base === resolve(process.cwd(), DEFAULT_BASE))}\n`);
  process.stdout.write(`aws:         each region's url is also its AWS KMS endpoint (SigV4 region = region name); access key ${manifest.awsAccessKeyId}, secret in the manifest\n`);
  return 0;
});
