/**
 * For tests of the AWS-compatible endpoint: an AWS credential issued through the native admin API,
 * a real `@aws-sdk/client-kms` client pointed at a test node with it, and requests signed by that
 * real client but captured instead of sent, so that a test can replay them raw (or altered).
 */
import http from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import type { TestNode } from './test-node.ts';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export async function issueAwsCredential(t: TestNode, principal = 'aws-app'): Promise<AwsCredentials> {
  const answer = await t.call('POST', '/v1/aws-credentials', { principal });
  if (answer.status !== 201) throw new TypeError(`could not issue an AWS credential: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { accessKeyId: answer.body.accessKeyId, secretAccessKey: answer.body.secretAccessKey };
}

export interface KmsClientOptions {
  readonly region?: string;
  readonly maxAttempts?: number;
  /** Skews the client's clock (what SigV4 dates requests with). */
  readonly systemClockOffsetMs?: number;
}

/** One attempt per call unless told otherwise, so that a test sees each error as the node answered it. */
export function kmsClientFor(t: TestNode, credentials: AwsCredentials, options: KmsClientOptions = {}): KMSClient {
  return new KMSClient({
    endpoint: t.node.awsUrl,
    region: options.region ?? t.node.config.region,
    credentials,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.systemClockOffsetMs !== undefined ? { systemClockOffset: options.systemClockOffsetMs } : {}),
  });
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface SendableCommand {
  readonly middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/**
 * The request the real SDK would send for `command`, signed, captured at the HTTP handler. With
 * `body`, the serialized body is replaced BEFORE signing (to sign malformed JSON as a client would).
 */
export async function signedRequest(t: TestNode, credentials: AwsCredentials, command: SendableCommand, options: KmsClientOptions & { body?: string } = {}): Promise<RawRequest> {
  let captured: RawRequest | undefined;
  const client = new KMSClient({
    endpoint: t.node.awsUrl, region: options.region ?? t.node.config.region, credentials, maxAttempts: 1,
    ...(options.systemClockOffsetMs !== undefined ? { systemClockOffset: options.systemClockOffsetMs } : {}),
    requestHandler: {
      handle: async (request: { method: string; path: string; headers: Record<string, string>; body?: Uint8Array | string }) => {
        const body = request.body === undefined || typeof request.body === 'string' ? Buffer.from(request.body ?? '') : Buffer.copyBytesFrom(request.body);
        captured = { method: request.method, path: request.path, headers: { ...request.headers }, body };
        throw new TypeError('captured, not sent');
      },
    } as unknown as KMSClient['config']['requestHandler'],
  });
  if (options.body !== undefined) {
    const replacement = options.body;
    command.middlewareStack.add((next: (args: { request: { body: unknown; headers: Record<string, string> } }) => unknown) => (args: { request: { body: unknown; headers: Record<string, string> } }) => {
      args.request.body = replacement;
      args.request.headers['content-length'] = String(Buffer.byteLength(replacement));
      return next(args);
    }, { step: 'build', priority: 'low' });
  }
  await client.send(command as never).catch(() => undefined);
  if (!captured) throw new TypeError('the SDK sent no request');
  return captured;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json: any;
}

/** Sends a request exactly as given (no header added but what node's http client must add). */
export function sendRaw(t: TestNode, request: RawRequest): Promise<RawAnswer> {
  const { port } = new URL(t.node.awsUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port: Number(port), method: request.method, path: request.path, headers: request.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // left null: the test asserts on it
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
