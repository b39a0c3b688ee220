/**
 * Runs the vitest suite and prints one plain closing line, "N passed, M failed, K skipped", that
 * CI reads. The exit code is vitest's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-test-'));
const report = path.join(dir, 'report.json');
const vitest = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number;
    testResults: { status: string; assertionResults: { status: string }[] }[];
  };
  passed = result.numPassedTests;
  // A file that fails to load has no failed tests but must still count as a failure.
  const brokenFiles = result.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed'));
  failed = result.numFailedTests + brokenFiles.length;
  skipped = result.numPendingTests + result.numTodoTests;
} catch {
  failed = 1;
}
rmSync(dir, { recursive: true, force: true });
const status = vitest.status ?? 1;
if (status !== 0 && failed === 0) failed = 1;
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(status);
