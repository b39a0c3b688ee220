/**
 * Free loopback TCP ports for the servers of one cluster. The OS picks each port (listen on 0);
 * we close it and hand it out. Another process can still take a port before our server binds it,
 * so start-up retries with fresh ports when a server reports "address already in use".
 */
import { createServer } from 'node:net';
import { ClusterError } from './cluster-error.ts';

/**
 * The standard NATS ports: a system nats-server may hold them (ours does, on 4222), and a cluster
 * that grabbed them while it was down would confuse whoever restarts it. Never hand them out.
 */
export const RESERVED_PORTS: ReadonlySet<number> = new Set([4222, 6222, 8222]);

export type PortSource = () => Promise<number>;

/** One port the OS considers free on 127.0.0.1 right now. */
export const osFreePort: PortSource = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/**
 * `count` distinct ports, none reserved and none in `avoid` (ports this run already used). The
 * source is a parameter so that tests can feed it the awkward cases.
 */
export async function allocatePorts(count: number, avoid: ReadonlySet<number> = new Set(), source: PortSource = osFreePort): Promise<number[]> {
  const chosen: number[] = [];
  let refusals = 0;
  while (chosen.length < count) {
    const port = await source();
    if (port > 0 && !RESERVED_PORTS.has(port) && !avoid.has(port) && !chosen.includes(port)) {
      chosen.push(port);
    } else if (++refusals > 100 + count) {
      throw new ClusterError(`could not find ${count} free loopback ports (the OS kept offering reserved or used ones)`);
    }
  }
  return chosen;
}
