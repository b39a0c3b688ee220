// Proves the report: the verdict follows the checks and the fault's fate, the headline numbers come
// from the records, and the HTML page is self-contained (no script, nothing fetched), escapes what
// it shows, and carries the SVG timeline with the fault window and every region.
import { describe, expect, it } from 'vitest';
import { violationsResult } from '../../test/checkers/index.ts';
import { buildReport, type ReportInput } from './drill-report.ts';
import type { CallRecord, StatusSample } from './drill-types.ts';
import { reportHtml } from './report-html.ts';
import { niceMax, timelineSvg } from './timeline-svg.ts';

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  const calls: CallRecord[] = [];
  for (let t = 0; t < 10_000; t += 100) {
    const down = t > 4000 && t < 5000;
    calls.push({ op: 'encrypt', plane: 'data', home: 'eu', startMs: t, endMs: t + 20, ok: !down, attempts: 1, ...(down ? { code: 'NetworkError' } : {}) });
    calls.push({ op: 'createKey', plane: 'control', home: 'us', startMs: t, endMs: t + 50, ok: true, attempts: 1 });
  }
  const samples: StatusSample[] = ['eu', 'us'].flatMap((region) => Array.from({ length: 40 }, (_, i) => (region === 'eu' && i > 16 && i < 20
    ? { region, atMs: i * 250, answered: false }
    : { region, atMs: i * 250, answered: true, appliedSeq: i, lagMs: region === 'us' ? 20 : 0 })));
  return {
    scenario: 'region-partition', t0: Date.UTC(2026, 0, 1), durationS: 10, regions: ['eu', 'us'],
    fault: { scenario: 'region-partition', target: 'eu', method: 'SIGSTOP <&>', startMs: 3900, appliedMs: 4000, healStartMs: 5000, healedMs: 5100, applied: true, undone: true, errors: [] },
    load: { calls, acked: [{ keyId: 'k', keyVersion: 1, home: 'us', atMs: 10 }], ciphertexts: [{ ciphertextId: 'c', keyId: 'k', keyVersion: 1, plaintextDigest: 'd', ciphertext: 'x' }], keys: [{ keyId: 'k', regions: null }], sdk: { attemptErrors: 3, retries: 2, failovers: 1 } },
    loadStartMs: 0, loadEndMs: 10_000, samples, converged: true, convergeWaitMs: 300,
    verification: { results: [violationsResult('no-lost-versions', []), violationsResult('decryptable-everywhere', [])], lostWrites: 0, decryptFailuresAfterHeal: 0, decryptAttempts: 2 },
    events: [{ atMs: Date.UTC(2026, 0, 1) + 3900, source: 'chaos region-partition', text: 'paused <node>' }],
    ...overrides,
  };
}

describe('drill report', () => {
  it('passes a clean drill and computes the headline numbers', () => {
    const report = buildReport(input());
    expect(report).toMatchObject({ scenario: 'region-partition', passed: true, failures: [], lostWrites: 0, decryptFailuresAfterHeal: 0, clientErrors: 9, convergeMs: 300 });
    expect(report.failoverMs).toBe(1000);
    expect(report.failoverMsByRegion).toEqual({ eu: 1000 });
    expect(report.timeline.failedCalls).toHaveLength(9);
    expect(report.timeline.events[0]!.atMs).toBe(3900);
  });

  it('fails on a violation, on a fault left in place and on no convergence, saying why', () => {
    const broken = buildReport(input({
      verification: { results: [violationsResult('no-lost-versions', ['k v1: region us is allowed but holds no material for it'])], lostWrites: 1, decryptFailuresAfterHeal: 0, decryptAttempts: 2 },
      converged: false,
      fault: { ...input().fault, undone: false, errors: ['undo SIGCONT: gone'] },
    }));
    expect(broken.passed).toBe(false);
    expect(broken.failures).toEqual([
      expect.stringMatching(/not fully undone: undo SIGCONT: gone/), expect.stringMatching(/did not converge/), 'no-lost-versions: 1 violation(s)',
    ]);
    expect(broken.convergeMs).toBeNull();
  });

  it('renders a self-contained page with the timeline', () => {
    const html = reportHtml(buildReport(input()));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('PASSED');
    expect(html).toContain('SIGSTOP &#60;&#38;&#62;');
    expect(html).toContain('paused &#60;node&#62;');
    expect(html).not.toContain('<node>');
    const svg = timelineSvg(buildReport(input()));
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg).toContain('class="fault"');
    expect(svg).toContain('region-partition on eu');
    for (const label of ['>eu<', '>us<', 'healed', 'converged', 'load stops']) expect(svg).toContain(label);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('rounds axes to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 7, 12, 180, 4000].map(niceMax)).toEqual([1, 0.5, 1, 10, 20, 200, 5000]);
  });
});
