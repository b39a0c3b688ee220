import { manifestPath } from './layout.ts';
import type { Manifest } from './manifest.ts';

/** What cluster:up prints when it is done: where things are and what to type next. */
export function upSummary(manifest: Manifest, defaultBase: boolean): string {
  const width = Math.max(...manifest.regions.map((r) => r.name.length), 6);
  const rows = manifest.regions.map((r) => `  ${r.name.padEnd(width)}  ${r.url.padEnd(24)}  ${r.natsUrl.padEnd(24)}  node pid ${r.pid}, nats pid ${r.natsPid}`);
  const first = manifest.regions[0]!;
  return [
    `latchkey cluster up: ${manifest.regions.length} region(s), JetStream replicas ${manifest.streamReplicas}`,
    `  ${'region'.padEnd(width)}  ${'node'.padEnd(24)}  ${'nats'.padEnd(24)}  processes`,
    ...rows,
    `manifest:    ${manifestPath(manifest.base)} (0600: admin token, NATS password)`,
    `logs:        ${manifest.base}/nodes/<region>/node.log, ${manifest.base}/nats/<region>/nats.log`,
    `try:         curl -s -H "authorization: Bearer $(cat ${first.dataDir}/admin.token)" ${first.url}/v1/whoami`,
    `status/stop: pnpm cluster:status | pnpm cluster:down [--purge]${defaultBase ? '' : ` (with --base ${manifest.base})`}`,
  ].join('\n');
}
