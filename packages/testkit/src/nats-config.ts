/**
 * The configuration file of one nats-server in a local cluster on loopback. Kept apart from process
 * handling so that the exact text a server ran with can be read, tested and copied into a bug
 * report. Shared by the testkit's own launcher and by the `cluster:up` tool.
 */

export interface NatsServerPlan {
  readonly region: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  /** Absolute. */
  readonly storeDir: string;
}

export interface NatsCredentials {
  readonly user: string;
  readonly password: string;
}

export interface NatsClusterPlan {
  readonly clusterName: string;
  readonly jetstream: boolean;
  /** Client authorization (top-level `authorization`); null: clients need none. */
  readonly credentials: NatsCredentials | null;
  /**
   * Route authorization (`cluster { authorization }`), kept apart from the client's as nats-server
   * 2.9 wants; each route URL then carries it. Absent or null: routes are open (loopback only).
   */
  readonly routeCredentials?: NatsCredentials | null;
  readonly servers: readonly NatsServerPlan[];
}

export const LOOPBACK = '127.0.0.1';

/** NATS config strings take JSON-style escapes inside double quotes; quoting also stops `$VAR` expansion. */
const quote = (value: string): string => JSON.stringify(value);

export const natsClientUrl = (server: NatsServerPlan): string => `nats://${LOOPBACK}:${server.clientPort}`;
export const natsMonitorUrl = (server: NatsServerPlan): string => `http://${LOOPBACK}:${server.monitorPort}`;

/**
 * One plan per region from three ports per region (client, cluster, monitor, in that order), as
 * `freePorts(regions.length * 3)` hands them out.
 */
export function planServers(regions: readonly string[], ports: readonly number[], storeDir: (region: string) => string): NatsServerPlan[] {
  return regions.map((region, i) => ({
    region,
    clientPort: ports[3 * i]!,
    clusterPort: ports[3 * i + 1]!,
    monitorPort: ports[3 * i + 2]!,
    storeDir: storeDir(region),
  }));
}

/**
 * One server runs standalone: nats-server 2.9 will not start clustered JetStream without routes,
 * and drops a route to itself as a duplicate, so a cluster of one never elects a meta leader.
 */
export function isClustered(cluster: { readonly servers: readonly unknown[] }): boolean {
  return cluster.servers.length > 1;
}

const authorizationBlock = (credentials: NatsCredentials, indent: string): string[] => [
  `${indent}authorization {`,
  `${indent}  user: ${quote(credentials.user)}`,
  `${indent}  password: ${quote(credentials.password)}`,
  `${indent}}`,
];

function clusterBlock(cluster: NatsClusterPlan, server: NatsServerPlan): string[] {
  if (!isClustered(cluster)) return [];
  const auth = cluster.routeCredentials ?? null;
  // Route passwords should be URL-safe (hex); they are put into the URL as they are.
  const userInfo = auth ? `${auth.user}:${auth.password}@` : '';
  const routes = cluster.servers
    .filter((other) => other.region !== server.region)
    .map((other) => `    ${quote(`nats-route://${userInfo}${LOOPBACK}:${other.clusterPort}`)}`);
  return [
    'cluster {',
    `  name: ${quote(cluster.clusterName)}`,
    `  listen: ${quote(`${LOOPBACK}:${server.clusterPort}`)}`,
    ...(auth ? authorizationBlock(auth, '  ') : []),
    // One route per line: the NATS config parser wants commas or newlines between array items.
    '  routes: [',
    ...routes,
    '  ]',
    '}',
  ];
}

/** `header`: the comment on the first line, saying who wrote the file. */
export function renderNatsConfig(
  cluster: NatsClusterPlan,
  server: NatsServerPlan,
  header = `# Written by @latchkey/testkit for region ${server.region}.`,
): string {
  const lines = [
    header,
    `server_name: ${quote(server.region)}`,
    `listen: ${quote(`${LOOPBACK}:${server.clientPort}`)}`,
    // The monitor port has no authentication in nats-server; it only ever listens on loopback.
    `http: ${quote(`${LOOPBACK}:${server.monitorPort}`)}`,
    `server_tags: [${quote(`region:${server.region}`)}]`,
    ...(cluster.jetstream ? ['jetstream {', `  store_dir: ${quote(server.storeDir)}`, '}'] : []),
    ...clusterBlock(cluster, server),
    ...(cluster.credentials ? authorizationBlock(cluster.credentials, '') : []),
  ];
  return `${lines.join('\n')}\n`;
}
