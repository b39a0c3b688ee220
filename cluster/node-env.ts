/**
 * The environment of a region node. Pure, so that the exact variables are unit-tested; they are
 * the interface between this tool and the node (see README.md, "What the node must provide").
 */
import { NATS_CLIENT_USER } from './nats-config.ts';

export interface NodeEnvInput {
  readonly region: string;
  readonly port: number;
  readonly dataDir: string;
  /** Every region's NATS client URL, in region order. */
  readonly natsUrls: readonly { readonly region: string; readonly url: string }[];
  readonly natsPassword: string;
  readonly clusterFile: string;
}

/** How often scheduled rotation and deletion run in the local cluster. */
export const LIFECYCLE_INTERVAL_MS = 60_000;

/** LATCHKEY_* variables the operator happens to have set must not leak into every region (one shared root key!). */
const PASS_THROUGH = new Set(['LATCHKEY_LOG_LEVEL']);

export function nodeBaseEnv(parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (!name.startsWith('LATCHKEY_') || PASS_THROUGH.has(name)) env[name] = value;
  }
  return env;
}

/** The node's own region first, so that it prefers its local server; the rest for failover. */
export function natsUrlsFor(region: string, all: NodeEnvInput['natsUrls']): string {
  const own = all.filter((n) => n.region === region);
  const others = all.filter((n) => n.region !== region);
  return [...own, ...others].map((n) => n.url).join(',');
}

export function nodeEnv(input: NodeEnvInput): Record<string, string> {
  return {
    LATCHKEY_REGION: input.region,
    LATCHKEY_PORT: String(input.port),
    LATCHKEY_HOST: '127.0.0.1',
    LATCHKEY_DATA_DIR: input.dataDir,
    LATCHKEY_NATS_URLS: natsUrlsFor(input.region, input.natsUrls),
    LATCHKEY_NATS_USER: NATS_CLIENT_USER,
    LATCHKEY_NATS_PASSWORD: input.natsPassword,
    LATCHKEY_CLUSTER_FILE: input.clusterFile,
    LATCHKEY_LIFECYCLE_INTERVAL_MS: String(LIFECYCLE_INTERVAL_MS),
  };
}
