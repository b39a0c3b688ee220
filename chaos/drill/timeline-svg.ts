/**
 * The drill's timeline as one inline SVG: stacked panels on a shared time axis (requests/s, errors/s
 * as the applications saw them, latency, replication lag per region with the moments a region did
 * not answer), the fault window shaded across all of them, and markers for heal, end of load and
 * convergence. Pure string building, no library, so the report stays one self-contained file.
 */
import type { DrillReport } from './drill-report.ts';
import type { Bucket } from './metrics.ts';

const WIDTH = 1100;
const LEFT = 64;
const RIGHT = 24;
const PANEL_HEIGHT = 130;
const PANEL_GAP = 46;
const TOP = 30;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
export const REGION_COLORS = ['#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((n) => n >= value)!;
}

interface Panel {
  readonly top: number;
  readonly title: string;
  readonly legend: readonly { readonly label: string; readonly color: string }[];
}

type Scale = (value: number) => number;

function axisY(panel: Panel, max: number, log: boolean): { y: Scale; ticks: string } {
  const bottom = panel.top + PANEL_HEIGHT;
  // A log axis runs from 1 to the next power of ten, so that its top tick is inside the panel.
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(10, max))));
  const y: Scale = log
    ? (v) => bottom - (Math.min(decades, Math.log10(Math.max(1, v))) / decades) * PANEL_HEIGHT
    : (v) => bottom - (Math.min(max, Math.max(0, v)) / max) * PANEL_HEIGHT;
  const values = log ? Array.from({ length: decades + 1 }, (_, i) => 10 ** i) : [0, max / 2, max];
  const ticks = values.map((v) => `<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>` +
    `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${v >= 1000 ? `${v / 1000}k` : Math.round(v * 10) / 10}</text>`).join('');
  return { y, ticks };
}

function frame(panel: Panel): string {
  // The legend sits at the right end of the title line, laid out right to left, so it never runs into the title.
  let right = LEFT + PLOT_WIDTH;
  const legend = [...panel.legend].reverse().map((item) => {
    const width = item.label.length * 6.6 + 24;
    right -= width;
    return `<rect x="${(right + 4).toFixed(1)}" y="${panel.top - 16}" width="14" height="4" fill="${item.color}"/>` +
      `<text x="${(right + 22).toFixed(1)}" y="${panel.top - 11}" class="legend">${escapeXml(item.label)}</text>`;
  }).join('');
  return `<text x="${LEFT}" y="${panel.top - 10}" class="title">${escapeXml(panel.title)}</text>${legend}` +
    `<rect x="${LEFT}" y="${panel.top}" width="${PLOT_WIDTH}" height="${PANEL_HEIGHT}" class="plot"/>`;
}

function line(points: readonly (readonly [number, number | null])[], x: Scale, y: Scale, color: string, width = 1.8): string {
  // A null breaks the line: no data there (a region that did not answer, a bucket without calls).
  const runs: string[] = [];
  let current: string[] = [];
  for (const [t, v] of points) {
    if (v === null) {
      if (current.length > 0) runs.push(current.join(' '));
      current = [];
    } else current.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
  }
  if (current.length > 0) runs.push(current.join(' '));
  return runs.map((run) => (run.includes(' ')
    ? `<polyline points="${run}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"/>`
    : `<circle cx="${run.split(',')[0]}" cy="${run.split(',')[1]}" r="1.8" fill="${color}"/>`)).join('');
}

function perSecond(b: Bucket, field: 'dataOk' | 'controlOk' | 'errors', bucketMs: number): number {
  return (b[field] * 1000) / bucketMs;
}

export function timelineSvg(report: DrillReport): string {
  const { timeline, fault } = report;
  const endMs = Math.max(timeline.loadEndMs, timeline.convergedMs ?? 0, ...timeline.samples.map((s) => s.atMs)) + 500;
  const x: Scale = (t) => LEFT + (Math.max(0, Math.min(endMs, t)) / endMs) * PLOT_WIDTH;
  const panels: Panel[] = ['Successful requests per second', 'Errors per second (after SDK retries)', 'Latency of successful calls, ms (log scale)', 'Replication lag per region, ms (status every ~250 ms; marks under the axis: no answer)']
    .map((title, i) => ({ top: TOP + i * (PANEL_HEIGHT + PANEL_GAP), title, legend: [] }));
  const mid = (b: Bucket): number => b.startMs + timeline.bucketMs / 2;
  const parts: string[] = [];

  const rates = timeline.buckets;
  const rateMax = niceMax(Math.max(1, ...rates.map((b) => perSecond(b, 'dataOk', timeline.bucketMs) + perSecond(b, 'controlOk', timeline.bucketMs))));
  const p0 = { ...panels[0]!, legend: [{ label: 'data plane', color: '#1f77b4' }, { label: 'control plane', color: '#9467bd' }] };
  const a0 = axisY(p0, rateMax, false);
  parts.push(frame(p0), a0.ticks,
    line(rates.map((b) => [mid(b), perSecond(b, 'dataOk', timeline.bucketMs)]), x, a0.y, '#1f77b4'),
    line(rates.map((b) => [mid(b), perSecond(b, 'controlOk', timeline.bucketMs)]), x, a0.y, '#9467bd'));

  const errMax = niceMax(Math.max(1, ...rates.map((b) => perSecond(b, 'errors', timeline.bucketMs))));
  const p1 = { ...panels[1]!, legend: [{ label: 'failed calls', color: '#d62728' }] };
  const a1 = axisY(p1, errMax, false);
  const barWidth = Math.max(1, (timeline.bucketMs / endMs) * PLOT_WIDTH - 1);
  parts.push(frame(p1), a1.ticks, ...rates.filter((b) => b.errors > 0).map((b) => {
    const top = a1.y(perSecond(b, 'errors', timeline.bucketMs));
    return `<rect x="${x(b.startMs).toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(p1.top + PANEL_HEIGHT - top).toFixed(1)}" fill="#d62728"/>`;
  }));

  const latMax = niceMax(Math.max(10, ...rates.flatMap((b) => [b.dataP99Ms ?? 0, b.controlP99Ms ?? 0])));
  const p2 = { ...panels[2]!, legend: [{ label: 'data p50', color: '#6baed6' }, { label: 'data p99', color: '#08519c' }, { label: 'control p50', color: '#c5b0d5' }, { label: 'control p99', color: '#6a3d9a' }] };
  const a2 = axisY(p2, latMax, true);
  parts.push(frame(p2), a2.ticks,
    line(rates.map((b) => [mid(b), b.dataP50Ms]), x, a2.y, '#6baed6'),
    line(rates.map((b) => [mid(b), b.dataP99Ms]), x, a2.y, '#08519c'),
    line(rates.map((b) => [mid(b), b.controlP50Ms]), x, a2.y, '#c5b0d5'),
    line(rates.map((b) => [mid(b), b.controlP99Ms]), x, a2.y, '#6a3d9a'));

  const lagMax = niceMax(Math.max(100, ...timeline.samples.map((s) => s.lagMs ?? 0)));
  const p3 = { ...panels[3]!, legend: report.regions.map((r, i) => ({ label: r, color: REGION_COLORS[i % REGION_COLORS.length]! })) };
  const a3 = axisY(p3, lagMax, false);
  parts.push(frame(p3), a3.ticks, ...report.regions.map((region, i) => {
    const color = REGION_COLORS[i % REGION_COLORS.length]!;
    const own = timeline.samples.filter((s) => s.region === region).sort((a, b) => a.atMs - b.atMs);
    const silent = own.filter((s) => !s.answered).map((s) => `<rect x="${x(s.atMs).toFixed(1)}" y="${p3.top + PANEL_HEIGHT + 3 + i * 5}" width="3" height="4" fill="${color}"/>`).join('');
    return line(own.map((s) => [s.atMs, s.answered ? (s.lagMs ?? 0) : null]), x, a3.y, color) + silent;
  }));

  const bottom = panels[3]!.top + PANEL_HEIGHT;
  const shade = (from: number, to: number, cls: string, label: string): string =>
    `<rect x="${x(from).toFixed(1)}" y="${TOP}" width="${Math.max(1, x(to) - x(from)).toFixed(1)}" height="${bottom - TOP}" class="${cls}"/>` +
    `<text x="${(x(from) + 3).toFixed(1)}" y="${bottom + 34}" class="marker">${escapeXml(label)}</text>`;
  const marker = (at: number, label: string, row: number): string => {
    // Near the right edge the label goes to the left of its line, so it is not cut off.
    const flip = x(at) > LEFT + PLOT_WIDTH - 90;
    return `<line x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${TOP}" y2="${bottom}" class="vline"/>` +
      `<text x="${(x(at) + (flip ? -3 : 3)).toFixed(1)}" y="${TOP + 12 + row * 12}" class="marker" text-anchor="${flip ? 'end' : 'start'}">${escapeXml(label)}</text>`;
  };
  const overlay = [
    // Applying a fault takes a moment (restarting a node, loading rules): lighter until it is in force.
    shade(fault.startMs, fault.appliedMs ?? fault.healStartMs, 'applying', ''),
    shade(fault.appliedMs ?? fault.healStartMs, fault.healStartMs, 'fault', `${fault.scenario} on ${fault.target ?? '?'}`),
    shade(fault.healStartMs, fault.healedMs, 'heal', ''),
    marker(fault.healedMs, 'healed', 0),
    marker(timeline.loadEndMs, 'load stops', 1),
    ...(timeline.convergedMs === null ? [] : [marker(timeline.convergedMs, 'converged', 2)]),
  ];
  const step = endMs > 120_000 ? 20_000 : endMs > 40_000 ? 10_000 : 5_000;
  const ticks = Array.from({ length: Math.floor(endMs / step) + 1 }, (_, i) => i * step)
    .map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${bottom}" y2="${bottom + 4}" class="axis"/><text x="${x(t)}" y="${bottom + 22}" class="tick" text-anchor="middle">${t / 1000}s</text>`).join('');
  const height = bottom + 46;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="drill timeline">` +
    '<style>.plot{fill:#fff;stroke:#999}.grid{stroke:#e5e5e5}.tick{font:11px sans-serif;fill:#555}.title{font:bold 13px sans-serif;fill:#222}' +
    '.legend{font:11px sans-serif;fill:#333}.fault{fill:#d62728;opacity:.14}.applying{fill:#d62728;opacity:.06}.heal{fill:#ff7f0e;opacity:.18}.vline{stroke:#444;stroke-dasharray:4 3}' +
    '.marker{font:11px sans-serif;fill:#333}.axis{stroke:#999}</style>' +
    // The overlay goes last so the shading shows over the white plot areas.
    `${parts.join('')}${overlay.join('')}${ticks}</svg>`;
}
