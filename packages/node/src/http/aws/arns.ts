/**
 * ARNs of the AWS wire: keys answer as `arn:aws:kms:<region>:<account>:key/<id>`, aliases as
 * `arn:aws:kms:<region>:<account>:alias/<name>`. On input a key may be named by id, key ARN, alias
 * name or alias ARN; ARNs are turned into what the key directory resolves (an id or alias name).
 */
import { LatchkeyError } from '@latchkey/core';

export interface ArnContext {
  /** The region serving the request: the region of every ARN in its answers. */
  readonly region: string;
  readonly accountId: string;
  /** Regions of the deployment: an ARN naming one of them names the same Latchkey key. */
  readonly regions: readonly string[];
}

const ARN = /^arn:aws:kms:([a-z0-9-]{1,64}):([0-9]{12}):(key|alias)\/(.{1,256})$/s;

export function keyArn(context: ArnContext, keyId: string, region: string = context.region): string {
  return `arn:aws:kms:${region}:${context.accountId}:key/${keyId}`;
}

/** `alias/<name>` to its ARN. */
export function aliasArn(context: ArnContext, aliasName: string): string {
  return `arn:aws:kms:${context.region}:${context.accountId}:${aliasName}`;
}

/**
 * Id, key ARN, alias name or alias ARN to a key id or alias name. An ARN of another account or of a
 * region outside the deployment names nothing here (NotFoundException, as AWS answers "Invalid arn").
 */
export function keyReference(context: ArnContext, value: string): string {
  if (!value.startsWith('arn:')) return value;
  const match = ARN.exec(value);
  if (!match) throw new LatchkeyError('NotFoundException', `Invalid arn ${value.slice(0, 300)}`);
  const [, region, account, type, resource] = match as unknown as [string, string, string, string, string];
  if (account !== context.accountId || !context.regions.includes(region)) {
    throw new LatchkeyError('NotFoundException', `Invalid arn: this deployment serves account ${context.accountId} in regions ${context.regions.join(', ')}`);
  }
  return type === 'alias' ? `alias/${resource}` : resource;
}

/** An alias name on input may also be an alias ARN (AWS accepts only names; the ARN is a convenience). */
export function aliasNameOf(context: ArnContext, value: string): string {
  const reference = keyReference(context, value);
  if (value.startsWith('arn:') && !reference.startsWith('alias/')) throw new LatchkeyError('ValidationException', 'AliasName must be an alias name, not a key ARN');
  return reference;
}
