/**
 * The configuration file of one nats-server in a local cluster. Kept apart from process handling
 * so that the exact text a server ran with can be read, tested and copied into a bug report.
 */

export interface NatsServerPlan {
  readonly region: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly storeDir: string;
}

export interface NatsClusterPlan {
  readonly clusterName: string;
  readonly jetstream: boolean;
  readonly credentials: { readonly user: string; readonly password: string } | null;
  readonly servers: readonly NatsServerPlan[];
}

export const LOOPBACK = '127.0.0.1';

/** NATS config strings take JSON-style escapes inside double quotes; quoting also stops `$VAR` expansion. */
const quote = (value: string): string => JSON.stringify(value);

/**
 * One server runs standalone: nats-server 2.9 will not start clustered JetStream without routes,
 * and drops a route to itself as a duplicate, so a cluster of one never elects a meta leader.
 */
export function isClustered(cluster: NatsClusterPlan): boolean {
  return cluster.servers.length > 1;
}

function clusterBlock(cluster: NatsClusterPlan, server: NatsServerPlan): string[] {
  if (!isClustered(cluster)) return [];
  // Every server lists every route, its own included; nats-server recognises and skips itself.
  const routes = cluster.servers.map((s) => `    ${quote(`nats-route://${LOOPBACK}:${s.clusterPort}`)}`);
  return ['cluster {', `  name: ${quote(cluster.clusterName)}`, `  listen: ${quote(`${LOOPBACK}:${server.clusterPort}`)}`, '  routes: [', ...routes, '  ]', '}'];
}

export function renderNatsConfig(cluster: NatsClusterPlan, server: NatsServerPlan): string {
  const lines = [
    `# Written by @latchkey/testkit for region ${server.region}.`,
    `server_name: ${quote(server.region)}`,
    `listen: ${quote(`${LOOPBACK}:${server.clientPort}`)}`,
    `http: ${quote(`${LOOPBACK}:${server.monitorPort}`)}`,
    `server_tags: [${quote(`region:${server.region}`)}]`,
    ...(cluster.jetstream ? ['jetstream {', `  store_dir: ${quote(server.storeDir)}`, '}'] : []),
    ...clusterBlock(cluster, server),
    ...(cluster.credentials
      ? ['authorization {', `  user: ${quote(cluster.credentials.user)}`, `  password: ${quote(cluster.credentials.password)}`, '}']
      : []),
  ];
  return `${lines.join('\n')}\n`;
}
