/**
 * Free loopback ports for test servers. The OS picks a port (listen on 0), we close and hand it
 * out; a port handed out once is not handed out again by this process, so that several servers
 * started together never collide with each other. Another process can still take the port in
 * between, which callers handle by retrying their start-up.
 */
import { createServer } from 'node:net';
import { TestkitError } from './testkit-error.ts';

/** A NATS server already runs on 4222 on our machines; never offer it, even if it looks free. */
const RESERVED_PORTS = new Set([4222, 6222, 8222]);
const handedOut = new Set<number>();

function listenOnce(): Promise<number> {
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
    const port = await listenOnce();
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
