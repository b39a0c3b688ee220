// Proves, on a real 3-region cluster under a steady mixed load through the SDK, that cutting one
// region off (links cut by firewall rules where the machine allows, else its processes paused) and
// healing it loses no acknowledged key version, leaves every acknowledged ciphertext decryptable in
// every allowed region, and ends with equal digests everywhere; that the cut region says it cannot
// reach the stream while it still answers; and that the drill writes its report.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { drillSuite } from './drill/test-cluster.ts';
import { regionPartition } from './scenarios/region-partition.ts';

drillSuite(regionPartition, 16, async (report, why, base) => {
  expect(report.load.ackedVersions, why).toBeGreaterThan(10);
  expect(report.load.ciphertexts, why).toBeGreaterThan(50);
  // Links cut (not paused): the region still answered and said it could not reach the stream.
  if (report.fault.method?.startsWith('iptables')) {
    const cut = report.timeline.samples.filter((s) => s.region === 'ap' && s.answered && s.atMs > (report.fault.appliedMs ?? 0) + 5000 && s.atMs < report.fault.healStartMs);
    expect(cut.length, why).toBeGreaterThan(0);
    expect(cut.some((s) => s.streamReachable === false), JSON.stringify(cut.slice(-3))).toBe(true);
  }
  await access(join(base, 'drill-report', 'report.html'));
  await access(join(base, 'drill-report', 'report.json'));
});
