/**
 * The nats-server configuration of each region. The text itself is written by the testkit's
 * `renderNatsConfig` (one renderer for tests and this tool); this file fixes what cluster:up asks
 * of it, so that the exact file a server ran with can be unit-tested, read and pasted into a bug
 * report.
 *
 * Two separate credentials, because nats-server 2.9 keeps them apart:
 * - top-level `authorization` is for clients (the region nodes): without it anyone on the machine
 *   could publish fake key-state changes;
 * - `cluster { authorization }` is for routes: without it any process could join the cluster as a
 *   route and read every message. Each server's `routes` carry the route credentials in the URL.
 * Passwords are hex, so they need no escaping in a URL or a config string.
 */
import { renderNatsConfig as renderWithTestkit, type NatsServerPlan } from '@latchkey/testkit';

export { isClustered, LOOPBACK, natsClientUrl, natsMonitorUrl, type NatsServerPlan } from '@latchkey/testkit';

export const NATS_CLUSTER_NAME = 'latchkey';
export const NATS_CLIENT_USER = 'latchkey';
export const NATS_ROUTE_USER = 'latchkey-route';

export interface NatsPlan {
  readonly servers: readonly NatsServerPlan[];
  readonly clientPassword: string;
  readonly routePassword: string;
}

/**
 * JetStream always; one server runs standalone (no cluster block): nats-server 2.9 will not start
 * clustered JetStream without peers, so a single region's streams must be R1.
 */
export function renderNatsConfig(plan: NatsPlan, server: NatsServerPlan): string {
  return renderWithTestkit(
    {
      clusterName: NATS_CLUSTER_NAME,
      jetstream: true,
      credentials: { user: NATS_CLIENT_USER, password: plan.clientPassword },
      routeCredentials: { user: NATS_ROUTE_USER, password: plan.routePassword },
      servers: plan.servers,
    },
    server,
    `# Written by latchkey cluster:up for region ${server.region}; rewritten on every cluster:up.`,
  );
}
