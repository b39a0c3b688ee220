/**
 * cluster:status, as a function: every region's node and NATS server, asked in parallel with
 * short time-outs so that one paused or dead region cannot hang the report.
 */
import { natsHealth, probe, type NatsHealth } from './http-probe.ts';
import type { Manifest, ManifestRegion } from './manifest.ts';
import { isOurProcessAlive, isStopped } from './processes.ts';

export interface RegionStatus {
  readonly name: string;
  readonly url: string;
  readonly nodePid: number;
  readonly nodeProcess: 'running' | 'paused' | 'gone';
  /** `GET /readyz` answered 200. */
  readonly nodeReady: boolean;
  readonly nodeDetail: string;
  /** From `GET /v1/cluster/status`; null when it did not answer with numbers. */
  readonly appliedSeq: number | null;
  readonly pending: number | null;
  readonly lagSeconds: number | null;
  /** The node's stream answered in the last seconds (false: cut off from the stream); null when unknown. */
  readonly streamReachable?: boolean | null;
  readonly replicationDetail: string;
  readonly natsPid: number;
  readonly natsProcess: 'running' | 'paused' | 'gone';
  /** Answering is up; see natsHealth for why a 503 is "degraded", not "down". */
  readonly natsState: NatsHealth['state'];
  readonly natsDetail: string;
  /** Node ready and NATS server answering. */
  readonly up: boolean;
}

const processState = (pid: number, needle: string): RegionStatus['nodeProcess'] =>
  !isOurProcessAlive(pid, needle) ? 'gone' : isStopped(pid) ? 'paused' : 'running';

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

async function regionStatus(manifest: Manifest, region: ManifestRegion): Promise<RegionStatus> {
  const [ready, replication, nats] = await Promise.all([
    probe(`${region.url}/readyz`),
    probe(`${region.url}/v1/cluster/status`, { token: manifest.adminToken }),
    region.natsMonitorUrl ? natsHealth(region.natsMonitorUrl, manifest.regions.length > 1) : Promise.resolve<NatsHealth>({ state: 'down', detail: 'no monitor URL in manifest' }),
  ]);
  const body = (replication.body ?? {}) as Record<string, unknown>;
  const appliedSeq = replication.status === 200 ? numberOrNull(body.appliedSeq) : null;
  const nodeReady = ready.status === 200;
  return {
    name: region.name,
    url: region.url,
    nodePid: region.pid,
    nodeProcess: processState(region.pid, manifest.nodeEntry ?? 'main.ts'),
    nodeReady,
    nodeDetail: nodeReady ? 'ready' : (ready.error ?? `readyz ${ready.status}`),
    appliedSeq,
    pending: replication.status === 200 ? numberOrNull(body.pending) : null,
    lagSeconds: replication.status === 200 ? numberOrNull(body.lagSeconds) : null,
    streamReachable: replication.status === 200 && typeof body.streamReachable === 'boolean' ? body.streamReachable : null,
    replicationDetail: replication.status === 200 ? 'ok' : (replication.error ?? `cluster/status ${replication.status}`),
    natsPid: region.natsPid,
    natsProcess: processState(region.natsPid, region.natsConfigPath ?? 'nats-server'),
    natsState: nats.state,
    natsDetail: nats.detail,
    up: nodeReady && nats.state !== 'down',
  };
}

export function clusterStatus(manifest: Manifest): Promise<RegionStatus[]> {
  return Promise.all(manifest.regions.map((region) => regionStatus(manifest, region)));
}
