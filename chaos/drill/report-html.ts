/**
 * report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) that an SRE
 * can attach to a postmortem: the verdict and why, the headline numbers with their definitions, the
 * timeline picture, what the checkers found, and the scenario's own log with timestamps.
 */
import type { DrillReport } from './drill-report.ts';
import { escapeXml, timelineSvg } from './timeline-svg.ts';

const ms = (value: number | null): string => (value === null ? 'n/a' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

function headline(report: DrillReport): [string, string, string][] {
  const byRegion = Object.entries(report.failoverMsByRegion).map(([r, v]) => `${r} ${ms(v)}`).join(', ');
  return [
    ['lost writes', String(report.lostWrites), 'acknowledged key versions missing from an allowed region after heal (must be 0)'],
    ['decrypt failures after heal', String(report.decryptFailuresAfterHeal), 'acknowledged ciphertexts that did not decrypt in every allowed region after heal (must be 0)'],
    ['client errors', `${report.clientErrors} of ${report.load.calls}`, `calls that failed as the application saw them, after SDK retries (${report.load.indeterminate} indeterminate)`],
    ['failover', ms(report.failoverMs), `longest time a client went without a successful data-plane answer, from the fault on (${byRegion})`],
    ['control plane unavailable', ms(report.controlPlaneUnavailableMs), 'longest time no client got a control-plane write through, from the fault on'],
    ['replication recovered', ms(report.replicationRecoveredMs), 'from the end of the heal until every region answered with a lag under 1 s for good'],
    ['converge', ms(report.convergeMs), 'from the end of the load to equal digests in every region'],
    ['replication lag p99', ms(report.lagP99Ms), Object.entries(report.lagP99MsByRegion).map(([r, v]) => `${r} ${ms(v)}`).join(', ')],
    ['repairs', String(Object.values(report.repairsByRegion).reduce((a, b) => a + b, 0)), `keys repaired from a quorum read (a region had applied a change the stream did not keep): ${Object.entries(report.repairsByRegion).map(([r, v]) => `${r} ${v}`).join(', ')}`],
  ];
}

function table(rows: readonly (readonly string[])[], head: readonly string[]): string {
  const cells = (row: readonly string[], tag: string): string => `<tr>${row.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  return `<table>${cells(head, 'th')}${rows.map((r) => cells(r, 'td')).join('')}</table>`;
}

export function reportHtml(report: DrillReport): string {
  const e = escapeXml;
  const verdict = report.passed ? '<span class="pass">PASSED</span>' : '<span class="fail">FAILED</span>';
  const why = report.failures.length === 0 ? '' : `<ul class="why">${report.failures.map((f) => `<li>${e(f)}</li>`).join('')}</ul>`;
  const fault = report.fault;
  const faultLine = `${e(fault.scenario)} on <b>${e(fault.target ?? '?')}</b> by ${e(fault.method ?? 'nothing (not applied)')}; ` +
    `applied at ${ms(fault.appliedMs)}, heal started at ${ms(fault.healStartMs)}, healed at ${ms(fault.healedMs)} (drill time)`;
  const checks = report.checks.map((c) => [e(c.checker), c.violationCount === 0 ? '<span class="ok">ok</span>' : `<span class="bad">${c.violationCount}</span>`,
    c.violations.slice(0, 8).map(e).join('<br>') || '&nbsp;']);
  const codes = Object.entries(report.load.errorsByCode).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${e(code)} ×${n}`).join(', ') || 'none';
  const events = report.timeline.events.map((ev) => [`${(ev.atMs / 1000).toFixed(2)} s`, e(ev.source), e(ev.text)]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latchkey drill: ${e(report.scenario)} ${e(report.startedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1150px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:26px 0 8px}
.pass,.fail{padding:2px 10px;border-radius:4px;color:#fff;font-weight:bold}.pass{background:#2ca02c}.fail{background:#d62728}
.ok{color:#2ca02c;font-weight:bold}.bad{color:#d62728;font-weight:bold}.why{color:#d62728}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
.numbers td:nth-child(2){font-weight:bold;white-space:nowrap}.small{color:#666;font-size:12px}
</style></head><body>
<h1>Game-day drill: ${e(report.scenario)} ${verdict}</h1>
<div class="small">started ${e(report.startedAt)} · ${report.durationS} s of load · regions ${e(report.regions.join(', '))}</div>
${why}
<p>${faultLine}</p>
<h2>Numbers</h2>
<table class="numbers">${headline(report).map(([k, v, d]) => `<tr><td>${e(k)}</td><td>${e(v)}</td><td class="small">${e(d)}</td></tr>`).join('')}</table>
<h2>Timeline</h2>
<div class="small">Shaded red: the fault in force (lighter while it was being applied); orange: healing. Time is seconds since the drill started.</div>
${timelineSvg(report)}
<h2>Checks after heal</h2>
${table(checks, ['checker', 'violations', 'first violations'])}
<h2>Load</h2>
<p>${report.load.calls} calls through the SDK (${report.load.ok} ok), ${report.load.ackedVersions} acknowledged key versions on ${report.load.keys} keys,
${report.load.ciphertexts} acknowledged ciphertexts, each decrypted again in every region after heal (${report.load.decryptAttemptsAfterHeal} decrypts).
SDK: ${report.load.sdk.attemptErrors} failed attempts absorbed, ${report.load.sdk.retries} retries, ${report.load.sdk.failovers} failovers.
Latency of successful calls: data plane p50 ${ms(report.load.dataP50Ms)} / p99 ${ms(report.load.dataP99Ms)}, control plane p50 ${ms(report.load.controlP50Ms)} / p99 ${ms(report.load.controlP99Ms)}.
Errors the applications saw: ${codes}.</p>
<h2>Event log</h2>
${table(events, ['drill time', 'source', 'event'])}
</body></html>
`;
}
