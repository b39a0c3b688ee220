/**
 * Free loopback ports for test servers. The OS picks a port (listen on 0), we close and hand it
 * out; a port handed out once is not handed out again by this process, so that several servers
 * started together never collide with each other. Another process can still take the port in
 * between, which callers handle by retrying their start-up.
 */
import { createServer } from 'node:net';
import { TestkitError } from './testkit-error.ts';

/**
 * The standard NATS ports: a system nats-server may hold them (ours does, on 4222), and a cluster
 * that grabbed them while it was down would confuse whoever restarts it. Never offer them, even
 * if they look free.
 */
export const RESERVED_PORTS: ReadonlySet<number> = new Set([4222, 6222, 8222]);
const handedOut = new Set<number>();

/**
 * One port the OS considers free on 127.0.0.1 right now, with no bookkeeping: it may be reserved
 * or one handed out before. `freePort` filters; the cluster tool's allocator filters its own way.
 */
export function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await osFreePort();
    if (port > 0 && !RESERVED_PORTS.has(port) && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new TestkitError('freePort: the OS kept offering reserved or already used ports');
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}
