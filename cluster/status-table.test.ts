import { describe, expect, it } from 'vitest';
import type { RegionStatus } from './cluster-status.ts';
import { renderStatusTable, statusRows } from './status-table.ts';

const healthy = (name: string): RegionStatus => ({
  name, url: `http://127.0.0.1:1/${name}`, nodePid: 10, nodeProcess: 'running', nodeReady: true, nodeDetail: 'ready',
  appliedSeq: 42, pending: 0, lagSeconds: 0.0123, replicationDetail: 'ok',
  natsPid: 20, natsProcess: 'running', natsState: 'ok', natsDetail: 'ok, meta leader eu', up: true,
});

describe('status table', () => {
  it('shows applied sequence, pending and lag per region, and a verdict', () => {
    const text = renderStatusTable([healthy('eu'), healthy('us')]);
    const [header, eu] = text.split('\n');
    expect(header).toMatch(/^REGION\s+NODE\s+URL\s+APPLIED\s+PENDING\s+LAG\s+NATS$/);
    expect(eu).toMatch(/^eu\s+ready \(pid 10\)\s+\S+\s+42\s+0\s+0\.012 s\s+ok, meta leader eu \(pid 20\)$/);
    expect(text.trimEnd().endsWith('all 2 region(s) up')).toBe(true);
  });

  it('marks down, paused and degraded parts, and names the regions that are down', () => {
    const down: RegionStatus = { ...healthy('us'), nodeProcess: 'gone', nodeReady: false, appliedSeq: null, pending: null, lagSeconds: null, up: false };
    const paused: RegionStatus = { ...healthy('ap'), natsProcess: 'paused', natsState: 'down', natsDetail: 'no answer (timed out)', up: false };
    const degraded: RegionStatus = { ...healthy('eu'), natsState: 'degraded', natsDetail: "consumer 'x' is not current" };
    const rows = statusRows([degraded, down, paused]);
    expect(rows[0]![6]).toBe("degraded: consumer 'x' is not current (pid 20)");
    expect(rows[1]!.slice(1, 6)).toEqual(['gone (pid 10)', 'http://127.0.0.1:1/us', '-', '-', '-']);
    expect(rows[2]![6]).toBe('paused (pid 20)');
    expect(renderStatusTable([degraded, down, paused])).toContain('DOWN: us, ap');
  });

  it('says when a region cannot reach the stream', () => {
    const cut: RegionStatus = { ...healthy('ap'), lagSeconds: 7.5, streamReachable: false };
    expect(statusRows([cut, { ...healthy('eu'), streamReachable: true }]).map((row) => row[5])).toEqual(['7.500 s, stream unreachable', '0.012 s']);
  });

  it('notes a ready node that gives no replication status without calling it down', () => {
    const text = renderStatusTable([{ ...healthy('eu'), appliedSeq: null, pending: null, lagSeconds: null, replicationDetail: 'cluster/status 404' }]);
    expect(text).toContain('all 1 region(s) up');
    expect(text).toContain('no replication status from eu (cluster/status 404)');
  });
});
