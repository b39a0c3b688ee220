import { describe, expect, it } from 'vitest';
import { isClustered, NATS_ROUTE_USER, renderNatsConfig, type NatsPlan } from './nats-config.ts';

const server = (region: string, n: number) => ({ region, clientPort: 10_000 + n, clusterPort: 11_000 + n, monitorPort: 12_000 + n, storeDir: `/base/nats/${region}/jetstream` });
const three: NatsPlan = { servers: [server('eu', 1), server('us', 2), server('ap', 3)], clientPassword: 'c0ffee', routePassword: 'r0u7e' };

describe('nats-server configuration', () => {
  const eu = renderNatsConfig(three, three.servers[0]!);

  it('names the server after its region, tags it, and gives JetStream its own store', () => {
    expect(eu).toContain('server_name: "eu"');
    expect(eu).toContain('server_tags: ["region:eu"]');
    expect(eu).toMatch(/jetstream \{\n {2}store_dir: "\/base\/nats\/eu\/jetstream"\n\}/);
  });

  it('listens on loopback only: clients, monitor and routes', () => {
    expect(eu).toContain('listen: "127.0.0.1:10001"');
    expect(eu).toContain('http: "127.0.0.1:12001"');
    expect(eu).toContain('listen: "127.0.0.1:11001"');
    expect(eu).not.toMatch(/0\.0\.0\.0|4222|6222|8222/);
  });

  it('routes to every other server with the route credentials, not to itself', () => {
    expect(eu).toContain(`"nats-route://${NATS_ROUTE_USER}:r0u7e@127.0.0.1:11002"`);
    expect(eu).toContain(`"nats-route://${NATS_ROUTE_USER}:r0u7e@127.0.0.1:11003"`);
    expect(eu).not.toContain('@127.0.0.1:11001');
    expect(eu.match(/nats-route:\/\//g)).toHaveLength(2);
  });

  it('keeps client and route authorization apart, as nats-server 2.9 wants', () => {
    const clusterBlock = eu.slice(eu.indexOf('cluster {'), eu.indexOf('\n}\n', eu.indexOf('cluster {')));
    expect(clusterBlock).toMatch(/authorization \{\n {4}user: "latchkey-route"\n {4}password: "r0u7e"\n {2}\}/);
    expect(clusterBlock).toContain('name: "latchkey"');
    const clientAuth = eu.slice(eu.lastIndexOf('authorization {'));
    expect(clientAuth).toBe('authorization {\n  user: "latchkey"\n  password: "c0ffee"\n}\n');
  });

  it('runs a single region standalone: no cluster block, still with client authorization', () => {
    const solo: NatsPlan = { ...three, servers: [server('solo', 1)] };
    expect(isClustered(solo)).toBe(false);
    const text = renderNatsConfig(solo, solo.servers[0]!);
    expect(text).not.toContain('cluster {');
    expect(text).not.toContain('nats-route');
    expect(text).toContain('password: "c0ffee"');
  });

  it('quotes values, so that a "$" in a path is not taken for a variable', () => {
    const odd: NatsPlan = { ...three, servers: [{ ...server('eu', 1), storeDir: '/tmp/$HOME "x"/js' }] };
    expect(renderNatsConfig(odd, odd.servers[0]!)).toContain('store_dir: "/tmp/$HOME \\"x\\"/js"');
  });
});
