// Proves, on a real 3-region cluster under a steady mixed load through the SDK, that a region node
// killed with SIGKILL mid-write and restarted with the same environment loses no acknowledged key
// version, leaves every acknowledged ciphertext decryptable in every allowed region, and that all
// regions converge; the SDK keeps the other regions' clients and the killed region's client served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterUp, quietDrill } from './drill/test-cluster.ts';
import { nodeKill } from './scenarios/node-kill.ts';

let base = '';
let failed = false;
beforeAll(async () => {
  base = await clusterUp();
}, 180_000);
afterAll(async () => {
  if (base === '') return;
  const kept = await clusterDown(base, failed ? 'node-kill' : null);
  if (kept !== null) process.stderr.write(`drill report and logs kept in ${kept}\n`);
}, 90_000);

describe('drill: node-kill', () => {
  it('loses nothing and converges', async () => {
    // Cleared only when every assertion passed: a failure keeps the report and logs (see afterAll).
    failed = true;
    const { report, log } = await quietDrill(nodeKill, base, 16);
    const why = `${report.failures.join('\n')}\n${log}`;
    expect(report.passed, why).toBe(true);
    expect(report.lostWrites, why).toBe(0);
    expect(report.decryptFailuresAfterHeal, why).toBe(0);
    expect(report.fault).toMatchObject({ applied: true, undone: true, target: 'ap' });
    // The killed region's clients fail over: its data plane is never dark for the whole kill.
    expect(report.failoverMsByRegion.ap!, why).toBeLessThan(report.fault.healedMs - report.fault.startMs);
    failed = false;
  }, 200_000);
});
