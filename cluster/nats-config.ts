/**
 * The nats-server configuration of each region. Pure text generation, so that the exact file a
 * server ran with can be unit-tested, read and pasted into a bug report.
 *
 * Two separate credentials, because nats-server 2.9 keeps them apart:
 * - top-level `authorization` is for clients (the region nodes): without it anyone on the machine
 *   could publish fake key-state changes;
 * - `cluster { authorization }` is for routes: without it any process could join the cluster as a
 *   route and read every message. Each server's `routes` carry the route credentials in the URL.
 * Passwords are hex, so they need no escaping in a URL or a config string.
 */

export const LOOPBACK = '127.0.0.1';
export const NATS_CLUSTER_NAME = 'latchkey';
export const NATS_CLIENT_USER = 'latchkey';
export const NATS_ROUTE_USER = 'latchkey-route';

export interface NatsServerPlan {
  readonly region: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  /** Absolute. */
  readonly storeDir: string;
}

export interface NatsPlan {
  readonly servers: readonly NatsServerPlan[];
  readonly clientPassword: string;
  readonly routePassword: string;
}

/** NATS config strings accept JSON escapes inside double quotes, and quoting stops `$VAR` expansion. */
const quote = (value: string): string => JSON.stringify(value);

export const natsClientUrl = (server: NatsServerPlan): string => `nats://${LOOPBACK}:${server.clientPort}`;
export const natsMonitorUrl = (server: NatsServerPlan): string => `http://${LOOPBACK}:${server.monitorPort}`;

/**
 * One server runs without a cluster block: nats-server 2.9 will not start clustered JetStream
 * without peers, so a single region is a standalone JetStream server and streams must be R1.
 */
export const isClustered = (plan: NatsPlan): boolean => plan.servers.length > 1;

function clusterBlock(plan: NatsPlan, server: NatsServerPlan): string[] {
  if (!isClustered(plan)) return [];
  const routes = plan.servers
    .filter((other) => other.region !== server.region)
    .map((other) => `    ${quote(`nats-route://${NATS_ROUTE_USER}:${plan.routePassword}@${LOOPBACK}:${other.clusterPort}`)}`);
  return [
    'cluster {',
    `  name: ${quote(NATS_CLUSTER_NAME)}`,
    `  listen: ${quote(`${LOOPBACK}:${server.clusterPort}`)}`,
    '  authorization {',
    `    user: ${quote(NATS_ROUTE_USER)}`,
    `    password: ${quote(plan.routePassword)}`,
    '  }',
    // One route per line: the NATS config parser wants commas or newlines between array items.
    '  routes: [',
    ...routes,
    '  ]',
    '}',
  ];
}

export function renderNatsConfig(plan: NatsPlan, server: NatsServerPlan): string {
  return [
    `# Written by latchkey cluster:up for region ${server.region}; rewritten on every cluster:up.`,
    `server_name: ${quote(server.region)}`,
    `listen: ${quote(`${LOOPBACK}:${server.clientPort}`)}`,
    // The monitor port has no authentication in nats-server; it only ever listens on loopback.
    `http: ${quote(`${LOOPBACK}:${server.monitorPort}`)}`,
    `server_tags: [${quote(`region:${server.region}`)}]`,
    'jetstream {',
    `  store_dir: ${quote(server.storeDir)}`,
    '}',
    ...clusterBlock(plan, server),
    'authorization {',
    `  user: ${quote(NATS_CLIENT_USER)}`,
    `  password: ${quote(plan.clientPassword)}`,
    '}',
    '',
  ].join('\n');
}
