/**
 * Entry point of `latchkey` (node packages/cli/src/main.ts, or pnpm latchkey). The only file that
 * touches process: argv, env and the exit status. exitCode rather than exit(), so stdout drains.
 */
import { nodeIo } from './node-io.ts';
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env, nodeIo());
