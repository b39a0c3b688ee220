/** `pnpm chaos <scenario>`: see README.md. Exit code 0 only when the fault was applied and undone. */
import { readManifest } from '../cluster/manifest.ts';
import { CHAOS_USAGE, parseChaosArgs } from './lib/args.ts';
import { detectCapabilities, planPartition } from './lib/capabilities.ts';
import { ChaosError, errorText } from './lib/chaos-error.ts';
import { EventLog } from './lib/event-log.ts';
import { heal } from './lib/heal.ts';
import { runScenario } from './lib/scenario-runner.ts';
import { SCENARIOS, scenarioNamed } from './scenarios/index.ts';

const out = (text: string): void => void process.stdout.write(`${text}\n`);

async function main(): Promise<number> {
  const args = parseChaosArgs(process.argv.slice(2), process.cwd());
  if (args.help || args.command === null) {
    out(CHAOS_USAGE);
    return args.help ? 0 : 2;
  }
  const log = new EventLog();
  if (args.command === 'list') {
    for (const s of SCENARIOS) out(`${s.name.padEnd(18)} ${s.summary}`);
    return 0;
  }
  if (args.command === 'capabilities') {
    const caps = await detectCapabilities();
    out(JSON.stringify(caps, null, 2));
    out(`region-partition --method auto would use: ${planPartition(caps, 'auto').method}`);
    return 0;
  }
  if (args.command === 'heal') {
    await heal(args.base, await readManifest(args.base), log.for('chaos heal'));
    return 0;
  }
  const scenario = scenarioNamed(args.command);
  if (!scenario) throw new ChaosError(`no scenario ${args.command}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`, 2);
  await readManifest(args.base); // a clear "no cluster" message before anything else
  const interrupt = new AbortController();
  const onSignal = (signal: string): void => {
    log.for('chaos')(`${signal}: healing before exit`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const record = await runScenario(scenario, {
      base: args.base, region: args.region, durationMs: args.durationMs, options: args.options, log: log.for(`chaos ${scenario.name}`), signal: interrupt.signal,
    });
    if (!record.applied) out(`${scenario.name}: could not apply the fault`);
    if (!record.undone) out(`${scenario.name}: could not undo everything; run pnpm chaos heal --base ${args.base}`);
    return record.applied && record.undone ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof ChaosError || (error as Error)?.name === 'ClusterError' ? errorText(error) : (error as Error).stack ?? String(error)}\n`);
    process.exitCode = error instanceof ChaosError ? error.exitCode : 1;
  },
);
