/**
 * The fixed requests `pnpm bench:aws` replays: Encrypt (32 bytes, AES-256-GCM key) and Sign (ECDSA
 * P-256) through the native API with a bearer token, and the same through the AWS endpoint as the
 * real AWS SDK signs them (SigV4, captured at the HTTP handler instead of sent). The node verifies
 * every replayed signature in full (payload hash, canonical request, HMAC chain); a replay is valid
 * for the 5 minutes SigV4 allows, so each measurement signs afresh.
 */
import { KMSClient, EncryptCommand, SignCommand } from '@aws-sdk/client-kms';

export interface BenchRequest {
  readonly path: string;
  /** Without host and content-length: the load generator writes those (with the same values). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface BenchKeys {
  readonly encryptKeyId: string;
  readonly signKeyId: string;
  readonly appToken: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly port: number;
}

export type Operation = 'Encrypt' | 'Sign';

const PLAINTEXT = Buffer.alloc(32, 7);
const MESSAGE = Buffer.from('a 32-byte message to be signed..');

export function nativeRequest(keys: BenchKeys, operation: Operation): BenchRequest {
  const headers = { authorization: `Bearer ${keys.appToken}`, 'content-type': 'application/json' };
  return operation === 'Encrypt'
    ? { path: `/v1/keys/${keys.encryptKeyId}/encrypt`, headers, body: JSON.stringify({ plaintext: PLAINTEXT.toString('base64') }) }
    : { path: `/v1/keys/${keys.signKeyId}/sign`, headers, body: JSON.stringify({ message: MESSAGE.toString('base64'), signingAlgorithm: 'ECDSA_SHA_256' }) };
}

/** What the AWS SDK for JavaScript v3 would send, signed now. */
export async function awsRequest(keys: BenchKeys, operation: Operation): Promise<BenchRequest> {
  let captured: BenchRequest | undefined;
  const client = new KMSClient({
    endpoint: `http://127.0.0.1:${keys.port}`, region: keys.region, maxAttempts: 1,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    requestHandler: {
      handle: async (request: { path: string; headers: Record<string, string>; body?: Uint8Array | string }) => {
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'content-length'].includes(name.toLowerCase())));
        const body = typeof request.body === 'string' ? request.body : Buffer.copyBytesFrom(request.body ?? new Uint8Array()).toString('utf8');
        captured = { path: request.path, headers, body };
        throw new TypeError('captured, not sent');
      },
    } as unknown as KMSClient['config']['requestHandler'],
  });
  const command = operation === 'Encrypt'
    ? new EncryptCommand({ KeyId: keys.encryptKeyId, Plaintext: PLAINTEXT })
    : new SignCommand({ KeyId: keys.signKeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' });
  await client.send(command as never).catch(() => undefined);
  client.destroy();
  if (!captured) throw new TypeError('the AWS SDK produced no request');
  return captured;
}

/** Sends one request and checks it succeeds, so that a measurement never counts refusals. */
export async function checkOnce(port: number, request: BenchRequest, expect: RegExp): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}${request.path}`, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200 || !expect.test(text)) throw new TypeError(`${request.path} answered ${response.status}: ${text.slice(0, 300)}`);
}
