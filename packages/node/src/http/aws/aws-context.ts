/** What every AWS operation handler gets: the node's services, the ARN context and the caller. */
import type { Principal } from '@latchkey/core';
import type { NodeServices } from '../routes/services.ts';
import type { ArnContext } from './arns.ts';
import type { AwsInput } from './wire-input.ts';

export interface AwsContext {
  readonly services: NodeServices;
  readonly arns: ArnContext;
  readonly principal: Principal;
}

/** Translates one AWS operation: AWS JSON in, calls on the control or data plane, AWS JSON out. */
export type AwsOperation = (context: AwsContext, input: AwsInput) => Promise<Record<string, unknown>> | Record<string, unknown>;

export type AwsOperationTable = Readonly<Record<string, AwsOperation>>;
