// Proves, on a real 3-region cluster under a steady mixed load through the SDK, that a region node
// killed with SIGKILL mid-write and restarted with the same environment loses no acknowledged key
// version, leaves every acknowledged ciphertext decryptable in every allowed region, and that all
// regions converge; the SDK keeps the other regions' clients and the killed region's client served.
import { expect } from 'vitest';
import { drillSuite } from './drill/test-cluster.ts';
import { nodeKill } from './scenarios/node-kill.ts';

drillSuite(nodeKill, 16, (report, why) => {
  // The killed region's clients fail over: its data plane is never dark for the whole kill.
  expect(report.failoverMsByRegion.ap!, why).toBeLessThan(report.fault.healedMs - report.fault.startMs);
});
