/**
 * A stand-in region node for tests of the client and of programs built on it: a real node:http
 * server on 127.0.0.1, port 0, that records each request exactly as it arrived (raw path, headers,
 * body) and answers with whatever the test scripted. It is not a Latchkey node; end-to-end tests
 * against the real node live elsewhere.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  readonly body: unknown;
}

export interface ScriptedAnswer {
  readonly status?: number;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent verbatim instead of `body`, to play a proxy or a broken node. */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering, to make a client time out. */
  readonly delayMs?: number;
  /** Destroy the connection instead of answering, after the request has arrived. */
  readonly hangUp?: boolean;
}

export type Script = ScriptedAnswer | ((request: RecordedRequest) => ScriptedAnswer);

export interface RecordingServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answer every following request with this (default: 200 `{}`). */
  answer(script: Script): void;
  /** The latest request; throws when none arrived. */
  last(): RecordedRequest;
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function record(message: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const target = message.url ?? '/';
  const queryAt = target.indexOf('?');
  return {
    method: message.method ?? '',
    path: queryAt < 0 ? target : target.slice(0, queryAt),
    query: new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)),
    headers: message.headers,
    rawBody,
    body: parseJson(rawBody),
  };
}

function send(response: ServerResponse, answer: ScriptedAnswer, sequence: number): void {
  const payload = answer.rawBody ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
  const headers: Record<string, string> = { 'x-request-id': `server-${sequence}`, ...answer.headers };
  if (answer.rawBody === undefined && answer.body !== undefined) headers['content-type'] ??= 'application/json';
  response.writeHead(answer.status ?? 200, headers).end(payload);
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let script: Script = { status: 200, body: {} };

  const server = createServer((message, response) => {
    void record(message).then((request) => {
      requests.push(request);
      const answer = typeof script === 'function' ? script(request) : script;
      if (answer.hangUp) return void message.socket.destroy();
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(response, answer, requests.length);
      }, answer.delayMs ?? 0);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      script = next;
    },
    last() {
      const request = requests.at(-1);
      if (request === undefined) throw new RangeError('no request has arrived');
      return request;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
