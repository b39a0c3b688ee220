// Proves the latency proxy delays each direction by about the configured time, keeps the byte
// order even with jitter, passes large transfers intact (flow control), and drops everything on close.
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from './tcp-proxy.ts';

let echo: Server | null = null;
let proxy: LatencyProxy | null = null;

afterEach(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
  echo = proxy = null;
});

async function echoServer(): Promise<number> {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo!.listen(0, '127.0.0.1', resolve));
  return (echo.address() as AddressInfo).port;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function readBytes(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= count) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
  });
}

describe('latency proxy', () => {
  it('adds the latency in each direction of a round trip', async () => {
    proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: await echoServer(), latencyMs: 60 });
    const socket = await open(proxy.port);
    const started = performance.now();
    socket.write('ping');
    expect((await readBytes(socket, 4)).toString()).toBe('ping');
    const roundTripMs = performance.now() - started;
    expect(roundTripMs).toBeGreaterThanOrEqual(115);
    expect(roundTripMs).toBeLessThan(1000);
    expect(proxy.connections()).toBe(1);
    socket.destroy();
  });

  it('keeps the byte order with jitter and passes a large transfer intact', async () => {
    proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: await echoServer(), latencyMs: 5, jitterMs: 20 });
    const socket = await open(proxy.port);
    const payload = randomBytes(3 * 1024 * 1024);
    const received = readBytes(socket, payload.length);
    for (let i = 0; i < payload.length; i += 16_384) socket.write(payload.subarray(i, i + 16_384));
    const back = await received;
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    socket.destroy();
  });

  it('drops open connections and stops listening on close', async () => {
    proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: await echoServer(), latencyMs: 1 });
    const socket = await open(proxy.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    const port = proxy.port;
    await proxy.close();
    proxy = null;
    await closed;
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
