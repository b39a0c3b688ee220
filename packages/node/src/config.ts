/**
 * Node configuration: parsed and validated once at start-up from an environment-like record, then
 * frozen. Only main.ts reads process.env; everything else receives a NodeConfig.
 */
import path from 'node:path';
import { LatchkeyError, validateRegionName } from '@latchkey/core';

export interface NodeConfig {
  readonly region: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Base64 root key from the environment; when null the root key lives in rootKeyFile. */
  readonly rootKeyBase64: string | null;
  readonly rootKeyFile: string;
  readonly adminTokenFile: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly batchBodyLimitBytes: number;
  readonly lifecycleIntervalMs: number;
  /** Replicated mode when set: the NATS servers of the deployment (this region's first). */
  readonly natsUrls: readonly string[] | null;
  readonly natsUser: string | null;
  readonly natsPassword: string | null;
  /** Pinned region keys of the deployment (required in replicated mode). */
  readonly clusterFile: string | null;
  readonly streamName: string;
  readonly publishTimeoutMs: number;
  readonly applyTimeoutMs: number;
  /** The account id in the ARNs of the AWS-compatible endpoint: 12 digits, as AWS's are. */
  readonly awsAccountId: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function configError(setting: string, why: string): LatchkeyError {
  return new LatchkeyError('ValidationException', `invalid configuration ${setting}: ${why}`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function replication(env: Env, cwd: string) {
  const urls = (env.LATCHKEY_NATS_URLS ?? '').split(',').map((u) => u.trim()).filter((u) => u.length > 0);
  for (const url of urls) {
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(url)) throw configError('LATCHKEY_NATS_URLS', `${JSON.stringify(url)} is not a nats:// or tls:// URL`);
  }
  const clusterFile = env.LATCHKEY_CLUSTER_FILE ? path.resolve(cwd, env.LATCHKEY_CLUSTER_FILE) : null;
  if (urls.length > 0 && clusterFile === null) {
    throw configError('LATCHKEY_CLUSTER_FILE', 'replicated mode (LATCHKEY_NATS_URLS) needs the file that pins the regions\' public keys');
  }
  const streamName = env.LATCHKEY_STREAM ?? 'LATCHKEY';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(streamName)) throw configError('LATCHKEY_STREAM', 'letters, digits, _ and - only');
  return {
    natsUrls: urls.length > 0 ? urls : null,
    natsUser: env.LATCHKEY_NATS_USER ?? null,
    natsPassword: env.LATCHKEY_NATS_PASSWORD ?? null,
    clusterFile,
    streamName,
    publishTimeoutMs: integer(env, 'LATCHKEY_PUBLISH_TIMEOUT_MS', 5000, 100, 120_000),
    applyTimeoutMs: integer(env, 'LATCHKEY_APPLY_TIMEOUT_MS', 10_000, 100, 300_000),
  };
}

function awsAccountId(env: Env): string {
  const value = env.LATCHKEY_AWS_ACCOUNT_ID ?? '000000000000';
  if (!/^[0-9]{12}$/.test(value)) throw configError('LATCHKEY_AWS_ACCOUNT_ID', 'must be 12 digits, as an AWS account id is');
  return value;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseConfig(env: Env, cwd: string): NodeConfig {
  const region = env.LATCHKEY_REGION ?? 'local';
  try {
    validateRegionName(region);
  } catch (cause) {
    throw configError('LATCHKEY_REGION', (cause as Error).message);
  }
  const dataDir = path.resolve(cwd, env.LATCHKEY_DATA_DIR ?? './.data');
  const logLevel = env.LATCHKEY_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw configError('LATCHKEY_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const rootKeyBase64 = env.LATCHKEY_ROOT_KEY ?? null;
  if (rootKeyBase64 !== null && Buffer.from(rootKeyBase64, 'base64').length !== 32) {
    throw configError('LATCHKEY_ROOT_KEY', 'must be 32 bytes, base64-encoded');
  }
  return Object.freeze({
    region,
    host: env.LATCHKEY_HOST ?? '127.0.0.1',
    port: integer(env, 'LATCHKEY_PORT', 8080, 0, 65535),
    dataDir,
    rootKeyBase64,
    rootKeyFile: path.resolve(cwd, env.LATCHKEY_ROOT_KEY_FILE ?? path.join(dataDir, 'root.key')),
    adminTokenFile: path.join(dataDir, 'admin.token'),
    logLevel,
    bodyLimitBytes: integer(env, 'LATCHKEY_BODY_LIMIT_BYTES', 64 * 1024, 1024, 64 * 1024 * 1024),
    batchBodyLimitBytes: integer(env, 'LATCHKEY_BATCH_BODY_LIMIT_BYTES', 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    lifecycleIntervalMs: integer(env, 'LATCHKEY_LIFECYCLE_INTERVAL_MS', 60_000, 10, 86_400_000),
    awsAccountId: awsAccountId(env),
    ...replication(env, cwd),
  });
}
