/**
 * A small TCP proxy that delays every chunk by a fixed latency in each direction, for slowing one
 * link down where `tc netem` is not available (it is not on these machines). Order is kept: a
 * chunk never overtakes the one before it, even with jitter, because each direction is one queue
 * released by due time. Flow control is kept too: when a queue holds too many bytes, the reading
 * side is paused until it drains, so a fast sender cannot fill the proxy's memory.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LatencyProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  /** Added to each direction. */
  readonly latencyMs: number;
  /** Up to this much more, at random, per chunk (order still kept). */
  readonly jitterMs?: number;
  readonly listenHost?: string;
  /** 0 (default): any free port. */
  readonly listenPort?: number;
}

export interface LatencyProxy {
  readonly port: number;
  readonly host: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Changes the delay of chunks read from now on. */
  setLatency(latencyMs: number, jitterMs?: number): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

const HIGH_WATER_BYTES = 1 << 20;

/** One direction: chunks from `from` reach `to` `delay()` ms later, in order. */
function delayedPipe(from: Socket, to: Socket, delay: () => number): void {
  const queue: { dueAt: number; chunk: Buffer }[] = [];
  let queuedBytes = 0;
  let lastDue = 0;
  let timer: NodeJS.Timeout | null = null;
  let ended = false;
  const flush = (): void => {
    timer = null;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.dueAt <= now) {
      const { chunk } = queue.shift()!;
      queuedBytes -= chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    if (queuedBytes < HIGH_WATER_BYTES && from.isPaused()) from.resume();
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.dueAt - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    lastDue = Math.max(Date.now() + delay(), lastDue);
    queue.push({ dueAt: lastDue, chunk });
    queuedBytes += chunk.length;
    if (queuedBytes >= HIGH_WATER_BYTES) from.pause();
    timer ??= setTimeout(flush, Math.max(0, lastDue - Date.now()));
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0 && timer === null) to.end();
  });
}

export function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  let latencyMs = options.latencyMs;
  let jitterMs = options.jitterMs ?? 0;
  const delay = (): number => latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset on one side ends the pair; the error itself is expected under chaos.
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect({ host: options.targetHost, port: options.targetPort });
    track(client);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    delayedPipe(client, upstream, delay);
    delayedPipe(upstream, client, delay);
  });
  const host = options.listenHost ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        port,
        host,
        connections: () => accepted,
        setLatency: (ms, jitter = jitterMs) => {
          latencyMs = ms;
          jitterMs = jitter;
        },
        close: () => new Promise<void>((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}
