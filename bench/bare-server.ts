/**
 * The ceiling: a bare `node:http` server that does the least work a JSON API can do. For every POST
 * it reads the body, parses it as JSON, and answers with JSON.stringify of a fixed answer of the
 * same size as the region node's answer for that path (the orchestrator passes the node's real
 * answers in). No routing library, no validation, no auth, no logging, no metrics.
 *
 *   node bench/bare-server.ts '<json: { "/path": answerObject, ... }>'
 *
 * Prints `{"port":N}` on stdout once it listens on 127.0.0.1 (an ephemeral port).
 * With BENCH_WORKERS=N (N > 1) it forks N node:cluster workers sharing the port.
 */
import cluster from 'node:cluster';
import http from 'node:http';

const answers = new Map<string, unknown>(Object.entries(JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>));
const fallback = answers.values().next().value ?? { ok: true };
const workers = Number(process.env.BENCH_WORKERS ?? '1');

function serve(port: number, onListening: (port: number) => void): void {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null) {
        response.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"SerializationException"}');
        return;
      }
      const body = JSON.stringify(answers.get(request.url ?? '') ?? fallback);
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    onListening(typeof address === 'object' && address ? address.port : port);
  });
}

if (workers > 1 && cluster.isPrimary) {
  const port = Number(process.env.BENCH_PORT ?? '0');
  if (port === 0) throw new Error('BENCH_PORT is required with BENCH_WORKERS > 1');
  let listening = 0;
  for (let i = 0; i < workers; i += 1) {
    cluster.fork().on('listening', () => {
      listening += 1;
      if (listening === workers) process.stdout.write(`${JSON.stringify({ port })}\n`);
    });
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  serve(workers > 1 ? Number(process.env.BENCH_PORT) : 0, (port) => {
    if (workers <= 1) process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
