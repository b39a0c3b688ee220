/**
 * For the drill tests in CI: a real cluster of its own in a temporary base folder, brought up with
 * cluster/up.ts and torn down (and purged) with cluster/down.ts, as an operator would; and a drill
 * run whose event log is kept quiet but attached to a failed assertion; `drillSuite` puts them
 * together with the checks every drill test makes.
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

/**
 * A drill test: its own cluster, one drill of `durationS` seconds against region `ap`, and the
 * checks every drill must pass (passed, nothing lost, every ciphertext decrypts after the heal, the
 * fault applied and undone); `check` adds the scenario's own. A failure keeps the artifacts.
 */
export function drillSuite(scenario: Scenario, durationS: number, check: (report: DrillReport, why: string, base: string) => Promise<void> | void): void {
  let base = '';
  let failed = false;
  beforeAll(async () => {
    base = await clusterUp();
  }, 180_000);
  afterAll(async () => {
    if (base === '') return;
    const kept = await clusterDown(base, failed ? scenario.name : null);
    if (kept !== null) process.stderr.write(`drill report and logs kept in ${kept}\n`);
  }, 90_000);

  describe(`drill: ${scenario.name}`, () => {
    it('loses nothing and converges', { timeout: 200_000 }, async () => {
      // Cleared only when every assertion passed: a failure keeps the report and logs (see afterAll).
      failed = true;
      const { report, log } = await quietDrill(scenario, base, durationS);
      const why = `${report.failures.join('\n')}\n${log}`;
      expect(report.passed, why).toBe(true);
      expect(report.lostWrites, why).toBe(0);
      expect(report.decryptFailuresAfterHeal, why).toBe(0);
      expect(report.fault).toMatchObject({ applied: true, undone: true, target: 'ap' });
      await check(report, why, base);
      failed = false;
    });
  });
}
