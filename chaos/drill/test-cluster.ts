/**
 * For the drill tests in CI: a real cluster of its own in a temporary base folder, brought up with
 * cluster/up.ts and torn down (and purged) with cluster/down.ts, as an operator would; and a drill
 * run whose event log is kept quiet but attached to a failed assertion.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../cluster/start-cluster.ts';
import { EventLog, formatEvent } from '../lib/event-log.ts';
import { DEFAULT_SCENARIO_OPTIONS, type Scenario } from '../lib/scenario.ts';
import type { DrillReport } from './drill-report.ts';
import { runDrill } from './run-drill.ts';

function runTool(script: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${script} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

export async function clusterUp(): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'latchkey-drill-'));
  await runTool('cluster/up.ts', ['--base', base], 150_000);
  return base;
}

/**
 * Stops the cluster and deletes its base, but first, when `keep` names a reason (the test failed),
 * copies the drill report, every log and the stores (without secrets) to ${tmpdir}/latchkey-drill-failures/.
 */
export async function clusterDown(base: string, keep: string | null = null): Promise<string | null> {
  await runTool('cluster/down.ts', ['--base', base], 60_000);
  let kept: string | null = null;
  if (keep !== null) {
    kept = join(tmpdir(), 'latchkey-drill-failures', `${keep}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(kept, { recursive: true });
    // The JetStream stores and node stores come along (they show what each side held); secrets do not.
    await cp(base, kept, { recursive: true, filter: (path) => !/manifest\.json$|\.token$|root\.key$|nats\.conf$/.test(path) });
  }
  await runTool('cluster/down.ts', ['--base', base, '--purge'], 60_000);
  return kept;
}

export async function quietDrill(scenario: Scenario, base: string, durationS: number): Promise<{ report: DrillReport; log: string }> {
  const events = new EventLog(() => undefined);
  const report = await runDrill({ scenario, base, outDir: join(base, 'drill-report'), durationS, region: null, options: DEFAULT_SCENARIO_OPTIONS, events });
  return { report, log: events.events.map(formatEvent).join('\n') };
}
