/**
 * `pnpm drill <scenario>`: see README.md. Reuses the cluster at --base when one runs there, else
 * starts one (and stops it afterwards unless --keep-cluster). Exit code 0 only when the drill passed.
 */
import { join } from 'node:path';
import { inspectBase } from '../cluster/liveness.ts';
import { startCluster } from '../cluster/start-cluster.ts';
import { stopCluster } from '../cluster/stop-cluster.ts';
import { DRILL_USAGE, parseDrillArgs } from './lib/args.ts';
import { ChaosError, errorText } from './lib/chaos-error.ts';
import { EventLog } from './lib/event-log.ts';
import { runDrill } from './drill/run-drill.ts';
import { SCENARIOS, scenarioNamed } from './scenarios/index.ts';

const stamp = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

async function main(): Promise<number> {
  const args = parseDrillArgs(process.argv.slice(2), process.cwd());
  if (args.help || args.command === null) {
    process.stdout.write(`${DRILL_USAGE}\nscenarios: ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
    return args.help ? 0 : 2;
  }
  const scenario = scenarioNamed(args.command);
  if (!scenario) throw new ChaosError(`no scenario ${args.command}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`, 2);
  const events = new EventLog();
  const log = events.for('drill');
  const state = await inspectBase(args.base);
  const running = state.manifest !== null && state.alive.length === state.processes.length;
  if (!running && state.alive.length > 0) throw new ChaosError(`the cluster at ${args.base} is partly down; run pnpm chaos heal --base ${args.base} or pnpm cluster:down`);
  if (running) log(`reusing the cluster at ${args.base}`);
  else {
    log(`no cluster at ${args.base}: starting one`);
    await startCluster({ regions: ['eu', 'us', 'ap'], base: args.base, log: events.for('cluster:up') });
  }
  const interrupt = new AbortController();
  const onSignal = (signal: string): void => {
    log(`${signal}: healing the fault and finishing early`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outDir = args.out ?? join(process.cwd(), '.drills', `${scenario.name}-${stamp(new Date())}`);
    const report = await runDrill({ scenario, base: args.base, outDir, durationS: args.durationS, region: args.region, options: args.options, events, signal: interrupt.signal });
    process.stdout.write(`${JSON.stringify({
      scenario: report.scenario, passed: report.passed, lostWrites: report.lostWrites, decryptFailuresAfterHeal: report.decryptFailuresAfterHeal,
      clientErrors: report.clientErrors, failoverMs: report.failoverMs, controlPlaneUnavailableMs: report.controlPlaneUnavailableMs,
      convergeMs: report.convergeMs, replicationRecoveredMs: report.replicationRecoveredMs, lagP99Ms: report.lagP99Ms, repairsByRegion: report.repairsByRegion, report: join(outDir, 'report.html'),
    }, null, 2)}\n`);
    return report.passed ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!running && !args.keepCluster) {
      log('stopping the cluster this drill started (--keep-cluster keeps it)');
      await stopCluster(args.base, { purge: false });
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof ChaosError || (error as Error)?.name === 'ClusterError';
    process.stderr.write(`drill: ${known ? errorText(error) : (error as Error).stack ?? String(error)}\n`);
    process.exitCode = error instanceof ChaosError ? error.exitCode : 1;
  },
);
