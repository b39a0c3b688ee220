// Proves the I/O helpers: freePort gives distinct loopback ports that can be bound and never 4222,
// tempDir makes a fresh folder whose cleanup removes it (and may run twice), and the NATS config
// renders every setting a cluster member needs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts, renderNatsConfig, tempDir, type NatsClusterPlan } from './index.ts';

describe('freePort', () => {
  it('hands out distinct ports that can be bound on 127.0.0.1, never the busy NATS port 4222', async () => {
    const ports = [await freePort(), ...(await freePorts(20))];
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).not.toContain(4222);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('tempDir', () => {
  it('creates a fresh folder under the prefix and removes it on cleanup, twice without error', async () => {
    const a = await tempDir('latchkey-testkit-');
    const b = await tempDir('latchkey-testkit-');
    expect(a.path).not.toBe(b.path);
    expect(a.path).toMatch(/latchkey-testkit-/);
    await writeFile(join(a.path, 'file'), 'x');
    await a.cleanup();
    await a.cleanup();
    expect(existsSync(a.path)).toBe(false);
    await b.cleanup();
    await expect(tempDir('../escape')).rejects.toThrow(RangeError);
  });
});

describe('renderNatsConfig', () => {
  const plan: NatsClusterPlan = {
    clusterName: 'latchkey',
    jetstream: true,
    credentials: { user: 'node', password: 'pa$$ "word"' },
    servers: [
      { region: 'us-east', clientPort: 1001, clusterPort: 2001, monitorPort: 3001, storeDir: '/data/us-east/jetstream' },
      { region: 'eu-west', clientPort: 1002, clusterPort: 2002, monitorPort: 3002, storeDir: '/data/eu-west/jetstream' },
    ],
  };

  it('names the server, tags its region, binds loopback, stores apart and routes to every other member', () => {
    const text = renderNatsConfig(plan, plan.servers[1]!);
    for (const line of [
      'server_name: "eu-west"', 'listen: "127.0.0.1:1002"', 'http: "127.0.0.1:3002"', 'server_tags: ["region:eu-west"]',
      'store_dir: "/data/eu-west/jetstream"', 'name: "latchkey"', 'listen: "127.0.0.1:2002"',
      '"nats-route://127.0.0.1:2001"', 'user: "node"', 'password: "pa$$ \\"word\\""',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).not.toContain('"nats-route://127.0.0.1:2002"');
    expect(text.startsWith('# Written by @latchkey/testkit for region eu-west.\n')).toBe(true);
  });

  it('puts route credentials in the cluster block and in every route URL, apart from the client ones', () => {
    const text = renderNatsConfig({ ...plan, routeCredentials: { user: 'route', password: 'r0u7e' } }, plan.servers[0]!, '# a header');
    expect(text.startsWith('# a header\n')).toBe(true);
    const clusterBlock = text.slice(text.indexOf('cluster {'), text.indexOf('\n}\n', text.indexOf('cluster {')));
    expect(clusterBlock).toMatch(/authorization \{\n {4}user: "route"\n {4}password: "r0u7e"\n {2}\}/);
    expect(clusterBlock).toContain('"nats-route://route:r0u7e@127.0.0.1:2002"');
    expect(text.slice(text.lastIndexOf('authorization {'))).toBe('authorization {\n  user: "node"\n  password: "pa$$ \\"word\\""\n}\n');
  });

  it('runs a single server standalone, since JetStream 2.9 cannot form a cluster of one', () => {
    const solo: NatsClusterPlan = { ...plan, servers: [plan.servers[0]!] };
    expect(renderNatsConfig(solo, solo.servers[0]!)).not.toMatch(/cluster|route/);
    expect(renderNatsConfig(solo, solo.servers[0]!)).toContain('store_dir');
  });

  it('leaves out JetStream and authorization when not asked for', () => {
    const text = renderNatsConfig({ ...plan, jetstream: false, credentials: null }, plan.servers[0]!);
    expect(text).not.toMatch(/jetstream|authorization/);
  });
});
