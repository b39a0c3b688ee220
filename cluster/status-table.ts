/** The table cluster:status prints. Pure, so that its shape is unit-tested. */
import type { RegionStatus } from './cluster-status.ts';

const HEADERS = ['REGION', 'NODE', 'URL', 'APPLIED', 'PENDING', 'LAG', 'NATS'] as const;

const num = (value: number | null, digits = 0): string => (value === null ? '-' : value.toFixed(digits));

function nodeCell(s: RegionStatus): string {
  if (s.nodeProcess !== 'running') return `${s.nodeProcess} (pid ${s.nodePid})`;
  return s.nodeReady ? `ready (pid ${s.nodePid})` : `DOWN: ${s.nodeDetail} (pid ${s.nodePid})`;
}

function natsCell(s: RegionStatus): string {
  if (s.natsProcess !== 'running') return `${s.natsProcess} (pid ${s.natsPid})`;
  const prefix = { ok: '', degraded: 'degraded: ', down: 'DOWN: ' }[s.natsState];
  return `${prefix}${s.natsDetail} (pid ${s.natsPid})`;
}

export function statusRows(statuses: readonly RegionStatus[]): string[][] {
  return statuses.map((s) => [s.name, nodeCell(s), s.url, num(s.appliedSeq), num(s.pending), lagCell(s), natsCell(s)]);
}

function lagCell(s: RegionStatus): string {
  if (s.lagSeconds === null) return '-';
  return s.streamReachable === false ? `${num(s.lagSeconds, 3)} s, stream unreachable` : `${num(s.lagSeconds, 3)} s`;
}

export function renderStatusTable(statuses: readonly RegionStatus[]): string {
  const rows = [[...HEADERS], ...statusRows(statuses)];
  const widths = HEADERS.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const lines = rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  '));
  const down = statuses.filter((s) => !s.up).map((s) => s.name);
  const noReplication = statuses.filter((s) => s.nodeReady && s.appliedSeq === null);
  const notes = [
    down.length === 0 ? `all ${statuses.length} region(s) up` : `DOWN: ${down.join(', ')}`,
    // A node without the endpoint still counts as up: replication status is information, not health.
    ...(noReplication.length > 0 ? [`no replication status from ${noReplication.map((s) => `${s.name} (${s.replicationDetail})`).join(', ')}`] : []),
  ];
  return [...lines, '', ...notes].join('\n');
}
