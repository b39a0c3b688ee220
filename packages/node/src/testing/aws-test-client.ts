/**
 * For tests of the AWS-compatible endpoint: an AWS credential issued through the native admin API,
 * and a real `@aws-sdk/client-kms` client pointed at a test node with it.
 */
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

/** One attempt per call, so that a test sees each error as the node answered it. */
export function kmsClientFor(t: TestNode, credentials: AwsCredentials, options: { region?: string; maxAttempts?: number } = {}): KMSClient {
  return new KMSClient({
    endpoint: t.node.awsUrl,
    region: options.region ?? t.node.config.region,
    credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });
}
