/**
 * LatchkeyClient's options and their defaults, turned into the router's settings once, at
 * construction, so that a bad setting fails where it was written. One node (`url`) keeps the
 * client's original behaviour: one attempt per call, no background probes, unless `retry` asks for
 * more. Several regions (`regions` + `homeRegion`) turn on failover and retries.
 */
import { invalidOption } from './client-error.ts';
import { checkLimits, DEFAULT_CACHE_LIMITS, type DataKeyCacheLimits } from './envelope/data-key-cache.ts';
import { checkRegions, type RegionEndpoint } from './routing/region-list.ts';
import { systemPorts, type RouterPorts } from './routing/router-ports.ts';
import type { EventSink } from './client-events.ts';
import type { ClientEvent } from './client-events.ts';
import type { RouterOptions } from './routing/region-router.ts';

export interface RetryOptions {
  /** Attempts per call, the first included (1 = no retries). Default: 1 for one node, 5 for regions. */
  readonly maxAttempts?: number;
  /** First backoff ceiling; doubles per retry pass. Default 50. */
  readonly baseDelayMs?: number;
  /** Largest backoff ceiling. Default 2 000. */
  readonly maxDelayMs?: number;
}

export interface HealthOptions {
  /** Region-level failures in a row that mark a region unhealthy. Default 2. */
  readonly failureThreshold?: number;
  /** How long an unhealthy region is skipped before a call may try it again (doubling, up to 60 s). Default 5 000. */
  readonly openMs?: number;
  /** How often an unhealthy region's /readyz is probed in the background; 0 turns probes off. Default 500. */
  readonly probeIntervalMs?: number;
}

interface CommonOptions {
  /** Bearer token for /v1 calls. */
  readonly token: string;
  /** Deadline of each attempt, connect to last byte of the answer. Default 10 000 for one node, 5 000 for regions. */
  readonly timeoutMs?: number;
  /** Deadline of a whole call, retries and waits included. Default: timeoutMs for one node without retries, else 15 000. */
  readonly deadlineMs?: number;
  readonly retry?: RetryOptions;
  /** Limits of the data-key cache of envelope encryption; false turns the cache off. */
  readonly dataKeyCache?: Partial<DataKeyCacheLimits> | false;
  /** Called for every attempt, retry, failover, health change and cache lookup. */
  readonly onEvent?: (event: ClientEvent) => void;
  /** Time, randomness and timers; tests pass fakes. Never pass a predictable random source in production. */
  readonly ports?: Partial<RouterPorts>;
  /** Request ids; crypto.randomUUID unless a test wants fixed ones. */
  readonly newRequestId?: () => string;
}

export interface SingleNodeOptions extends CommonOptions {
  /** Base URL of a region node, for example http://127.0.0.1:8080. */
  readonly url: string;
}

export interface RegionalOptions extends CommonOptions {
  /** Every region the client may use, nearest first; names as the cluster (and key policies) spell them. */
  readonly regions: readonly RegionEndpoint[];
  /** The region calls go to while it is healthy and allowed for the key. */
  readonly homeRegion: string;
  readonly health?: HealthOptions;
  /** How long a key's region policy, once seen, is trusted. Default 300 000. */
  readonly keyRegionsTtlMs?: number;
}

export type LatchkeyClientOptions = SingleNodeOptions | RegionalOptions;

export const DEFAULT_TIMEOUT_MS = 10_000;
const REGIONAL_TIMEOUT_MS = 5_000;
const DEFAULT_DEADLINE_MS = 15_000;
const SINGLE_NODE_REGION = 'default';

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < (allowZero ? 0 : 1)) throw invalidOption(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer`);
  return chosen;
}

function isRegional(options: LatchkeyClientOptions): options is RegionalOptions {
  return 'regions' in options && options.regions !== undefined;
}

export function cacheLimitsOf(options: LatchkeyClientOptions): DataKeyCacheLimits | null {
  if (options.dataKeyCache === false) return null;
  try {
    return checkLimits({ ...DEFAULT_CACHE_LIMITS, ...options.dataKeyCache });
  } catch (error) {
    throw invalidOption((error as Error).message.replace(/^LatchkeyClient: /, ''));
  }
}

export function routerOptionsOf(options: LatchkeyClientOptions, emit: EventSink): RouterOptions {
  const regional = isRegional(options);
  const regions = regional ? checkRegions(options.regions, options.homeRegion) : [{ name: SINGLE_NODE_REGION, url: options.url }];
  const homeRegion = regional ? options.homeRegion : SINGLE_NODE_REGION;
  const timeoutMs = positive('timeoutMs', options.timeoutMs, regional ? REGIONAL_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);
  const maxAttempts = positive('retry.maxAttempts', options.retry?.maxAttempts, regional ? 5 : 1);
  const deadlineMs = positive('deadlineMs', options.deadlineMs, maxAttempts === 1 ? timeoutMs : Math.max(timeoutMs, DEFAULT_DEADLINE_MS));
  const health = regional ? options.health ?? {} : {};
  const probeIntervalMs = positive('health.probeIntervalMs', health.probeIntervalMs, 500, true);
  const openMs = positive('health.openMs', health.openMs, 5_000);
  return {
    regions, homeRegion, token: options.token, timeoutMs, deadlineMs, maxAttempts,
    backoff: { baseDelayMs: positive('retry.baseDelayMs', options.retry?.baseDelayMs, 50), maxDelayMs: positive('retry.maxDelayMs', options.retry?.maxDelayMs, 2_000) },
    breaker: { failureThreshold: positive('health.failureThreshold', health.failureThreshold, 2), openMs, maxOpenMs: Math.max(openMs, 60_000) },
    // One node has nowhere else to go, so probing it would only add requests.
    probeIntervalMs: regional && probeIntervalMs > 0 ? probeIntervalMs : null,
    keyRegionsTtlMs: positive('keyRegionsTtlMs', regional ? options.keyRegionsTtlMs : undefined, 300_000),
    ports: { ...systemPorts, ...options.ports },
    emit,
    newRequestId: options.newRequestId,
  };
}
