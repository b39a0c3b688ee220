// Proves, on a real 3-region cluster under a steady mixed load through the SDK, that cutting one
// region off (links cut by firewall rules where the machine allows, else its processes paused) and
// healing it loses no acknowledged key version, leaves every acknowledged ciphertext decryptable in
// every allowed region, and ends with equal digests everywhere; and that the drill writes its report.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterUp, quietDrill } from './drill/test-cluster.ts';
import { regionPartition } from './scenarios/region-partition.ts';

let base = '';
let failed = false;
beforeAll(async () => {
  base = await clusterUp();
}, 180_000);
afterAll(async () => {
  if (base === '') return;
  const kept = await clusterDown(base, failed ? 'region-partition' : null);
  if (kept !== null) process.stderr.write(`drill report and logs kept in ${kept}\n`);
}, 90_000);

describe('drill: region-partition', () => {
  it('loses nothing and converges', { timeout: 200_000 }, async () => {
    // Cleared only when every assertion passed: a failure keeps the report and logs (see afterAll).
    failed = true;
    const { report, log } = await quietDrill(regionPartition, base, 16);
    const why = `${report.failures.join('\n')}\n${log}`;
    expect(report.passed, why).toBe(true);
    expect(report.lostWrites, why).toBe(0);
    expect(report.decryptFailuresAfterHeal, why).toBe(0);
    expect(report.fault).toMatchObject({ applied: true, undone: true, target: 'ap' });
    expect(report.load.ackedVersions).toBeGreaterThan(10);
    expect(report.load.ciphertexts).toBeGreaterThan(50);
    // While its links were cut, the region still answered and said it could not reach the stream.
    const cut = report.timeline.samples.filter((s) => s.region === 'ap' && s.answered && s.atMs > (report.fault.appliedMs ?? 0) + 5000 && s.atMs < report.fault.healStartMs);
    if (cut.length > 0) expect(cut.some((s) => s.streamReachable === false), JSON.stringify(cut.slice(-3))).toBe(true);
    await access(join(base, 'drill-report', 'report.html'));
    await access(join(base, 'drill-report', 'report.json'));
    failed = false;
  });
});
