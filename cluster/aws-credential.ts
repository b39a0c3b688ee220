/**
 * After the nodes are up: an AWS SigV4 credential for the admin principal, issued through the admin
 * API of the first region and waited for until every region holds its secret (it replicates like
 * key material), so that the manifest can hand AWS SDKs an endpoint and credentials per region.
 * The AWS endpoint shares each node's port, so a region's `awsUrl` is its `url`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClusterError } from './cluster-error.ts';
import type { Manifest } from './manifest.ts';

/** The principal of the deployment's first admin token (packages/node/src/admin-bootstrap.ts). */
export const AWS_CREDENTIAL_PRINCIPAL = 'admin';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

async function call(url: string, token: string, method: string, body?: unknown): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  } catch (error) {
    return { status: 0, body: { message: (error as Error).message } };
  }
}

async function waitUsableEverywhere(manifest: Manifest, accessKeyId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const region of manifest.regions) {
    for (;;) {
      const answer = await call(`${region.url}/v1/aws-credentials/${accessKeyId}`, manifest.adminToken, 'GET');
      if (answer.status === 200 && answer.body?.usable === true) break;
      if (Date.now() > deadline) {
        throw new ClusterError(`the AWS credential ${accessKeyId} did not reach region ${region.name} within ${timeoutMs / 1000} s (last answer ${answer.status}); see ${region.nodeLogPath}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The manifest with `awsUrl` per region and the admin principal's `awsAccessKeyId` / `awsSecretAccessKey`. */
export async function withAwsCredential(manifest: Manifest, options: { timeoutMs?: number; log: (line: string) => void }): Promise<Manifest> {
  const first = manifest.regions[0];
  if (!first) throw new ClusterError('the manifest names no region');
  const issued = await call(`${first.url}/v1/aws-credentials`, manifest.adminToken, 'POST', { principal: AWS_CREDENTIAL_PRINCIPAL });
  const accessKeyId = issued.body?.accessKeyId;
  const secretAccessKey = issued.body?.secretAccessKey;
  if (issued.status !== 201 || typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') {
    throw new ClusterError(`could not issue an AWS credential in ${first.name}: ${issued.status} ${JSON.stringify(issued.body?.message ?? issued.body?.code ?? '')}`);
  }
  options.log(`issued AWS credential ${accessKeyId} for ${AWS_CREDENTIAL_PRINCIPAL}; waiting until every region holds it`);
  await waitUsableEverywhere(manifest, accessKeyId, options.timeoutMs ?? 60_000);
  return {
    ...manifest,
    regions: manifest.regions.map((region) => ({ ...region, awsUrl: region.url })),
    awsAccessKeyId: accessKeyId,
    awsSecretAccessKey: secretAccessKey,
  };
}

/** Where up keeps the id (never the secret) of the credential it issued, to revoke it on the next up. */
const issuedIdPath = (base: string): string => join(base, 'aws-credential-id');

/**
 * Revokes the credential the previous `up` on this base issued (its secret went away with the old
 * manifest), then remembers the new one's id.
 */
export async function replacePreviousAwsCredential(manifest: Manifest, log: (line: string) => void): Promise<void> {
  const previous = (await readFile(issuedIdPath(manifest.base), 'utf8').catch(() => '')).trim();
  const first = manifest.regions[0];
  if (previous && first && previous !== manifest.awsAccessKeyId) {
    const answer = await call(`${first.url}/v1/aws-credentials/${previous}`, manifest.adminToken, 'DELETE');
    if (answer.status === 204) log(`revoked the AWS credential ${previous} of the previous run`);
  }
  await writeFile(issuedIdPath(manifest.base), `${manifest.awsAccessKeyId ?? ''}\n`, { mode: 0o600 });
}
