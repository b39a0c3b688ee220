/**
 * Native admin routes for AWS SigV4 credentials: issue one for a principal (the secret is shown
 * once), list, look one up (is its secret usable in this region yet?), revoke.
 */
import { addRoute } from '../route.ts';
import { bool, object, str } from '../schemas.ts';
import type { NodeServices } from '../routes/services.ts';
import type { FastifyInstance } from 'fastify';
import type { CredentialRecord } from '@latchkey/core';
import { LatchkeyError } from '@latchkey/core';
import type { AwsCredentialRegistry } from './credential-registry.ts';
import { newAccessKeyId, newSecretAccessKey, wrapSecretForRegions } from './credential-secret.ts';

const text = { type: 'string' };
const credentialInfo = object({ accessKeyId: text, principal: text, creationDate: text, usable: bool });
const accessKeyParams = object({ accessKeyId: str(128, 1) }, ['accessKeyId']);

function info(record: CredentialRecord, credentials: AwsCredentialRegistry) {
  return {
    accessKeyId: record.accessKeyId, principal: record.principal, creationDate: new Date(record.creationDateMs).toISOString(),
    usable: credentials.usable(record.accessKeyId),
  };
}

export function registerCredentialRoutes(app: FastifyInstance, services: NodeServices, credentials: AwsCredentialRegistry): void {
  addRoute<{ principal: string }, unknown, unknown>(app, {
    method: 'POST', url: '/v1/aws-credentials', operation: 'CreateAwsCredential', access: 'admin', status: 201,
    summary: 'Issue an AWS SigV4 access key id and secret for a principal (the secret is shown once).',
    body: object({ principal: str(128, 1) }, ['principal']),
    response: object({ accessKeyId: text, secretAccessKey: text, principal: text, creationDate: text }),
    handler: async ({ body }) => {
      const accessKeyId = newAccessKeyId();
      const secretAccessKey = newSecretAccessKey();
      const secret = Buffer.from(secretAccessKey, 'utf8');
      let record: CredentialRecord;
      try {
        record = await services.controlPlane.createAwsCredential(body.principal, accessKeyId, wrapSecretForRegions(services.cluster, accessKeyId, secret));
      } finally {
        secret.fill(0);
      }
      return { accessKeyId, secretAccessKey, principal: record.principal, creationDate: new Date(record.creationDateMs).toISOString() };
    },
  });

  addRoute(app, {
    method: 'GET', url: '/v1/aws-credentials', operation: 'ListAwsCredentials', access: 'admin',
    summary: 'Issued AWS credentials (never their secrets); usable: this region holds the secret.',
    response: object({ credentials: { type: 'array', items: credentialInfo } }),
    handler: () => ({ credentials: credentials.list().map((record) => info(record, credentials)) }),
  });

  addRoute<unknown, { accessKeyId: string }, unknown>(app, {
    method: 'GET', url: '/v1/aws-credentials/:accessKeyId', operation: 'DescribeAwsCredential', access: 'admin',
    summary: 'One AWS credential; usable: this region holds its secret (replicated here).',
    params: accessKeyParams, response: credentialInfo,
    handler: ({ params }) => {
      const record = credentials.get(params.accessKeyId);
      if (!record) throw new LatchkeyError('NotFoundException', `AWS credential ${params.accessKeyId} does not exist in this region`);
      return info(record, credentials);
    },
  });

  addRoute<unknown, { accessKeyId: string }, unknown>(app, {
    method: 'DELETE', url: '/v1/aws-credentials/:accessKeyId', operation: 'RevokeAwsCredential', access: 'admin', status: 204,
    summary: 'Revoke an AWS credential in every region.', params: accessKeyParams, response: null,
    handler: async ({ params }) => {
      await services.controlPlane.revokeAwsCredential(params.accessKeyId);
      return null;
    },
  });
}
