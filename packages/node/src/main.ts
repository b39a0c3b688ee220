/**
 * `pnpm start`: one region node, configured from the environment (the only place env is read).
 */
import { LatchkeyError } from '@latchkey/core';
import { parseConfig } from './config.ts';
import { startRegionNode } from './region-node.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env, process.cwd());
  } catch (error) {
    process.stderr.write(`latchkey: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const node = await startRegionNode({ config });
  process.stderr.write(
    `latchkey: region ${config.region} serving on ${node.url}\n` +
      `latchkey: admin token in ${config.adminTokenFile}${node.adminTokenCreated ? ' (created now)' : ''}\n`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    node.log.info({ signal }, 'shutting down');
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof LatchkeyError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`latchkey: failed to start: ${message}\n`);
  process.exit(1);
});
