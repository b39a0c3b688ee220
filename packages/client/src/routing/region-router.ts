/**
 * The region router: a Requester that sends each call to the best region it may use and, when that
 * region does not serve, to the next one. It keeps one single-endpoint requester per region, a
 * circuit breaker per region (with background /readyz probes to close it), and what it has learnt of
 * each key's region policy. Decisions live in pure modules (route-plan, circuit-breaker, retry-rules,
 * backoff); this file performs them and reports every step as an event.
 */
import { LatchkeyClientError } from '../client-error.ts';
import { createHttpRequester } from '../http-requester.ts';
import { keyPath } from '../paths.ts';
import { backoffDelayMs, type BackoffSettings } from './backoff.ts';
import { CLOSED, isHealthy, recordFailure, recordSuccess, type BreakerSettings, type BreakerState } from './circuit-breaker.ts';
import { HealthProber } from './health-prober.ts';
import { KeyRegions, keyPolicyIn } from './key-regions.ts';
import { classifyFailure, mayRepeat, outcomeUnknown } from './retry-rules.ts';
import { nextRegion, planRoute } from './route-plan.ts';
import type { ApiRequest, ApiResponse, Requester } from '../api-request.ts';
import type { EventSink } from '../client-events.ts';
import type { RegionEndpoint } from './region-list.ts';
import type { RouterPorts } from './router-ports.ts';

export interface RouterOptions {
  readonly regions: readonly RegionEndpoint[];
  readonly homeRegion: string;
  readonly token: string;
  /** Longest single attempt. */
  readonly timeoutMs: number;
  /** Longest whole call, every attempt and wait included. */
  readonly deadlineMs: number;
  /** Attempts per call, the first included; 1 turns retries off. */
  readonly maxAttempts: number;
  readonly backoff: BackoffSettings;
  readonly breaker: BreakerSettings;
  /** How often an unhealthy region's /readyz is asked; null: no background probes (trial calls only). */
  readonly probeIntervalMs: number | null;
  readonly keyRegionsTtlMs: number;
  readonly ports: RouterPorts;
  readonly emit: EventSink;
  readonly newRequestId?: () => string;
}

/** One call's progress through its attempts. */
interface CallProgress {
  readonly request: ApiRequest;
  readonly deadlineAtMs: number;
  attempts: number;
  /** Regions tried in the current pass over the plan; a new pass starts after a backoff wait. */
  readonly tried: Set<string>;
  passes: number;
  lastRegion: string | null;
  lastError: unknown;
  /** An earlier attempt of this write may have been applied, so the call's outcome is unknown. */
  maybeApplied: boolean;
  relearned: boolean;
}

const PROBE_TIMEOUT_MS = 2_000;
const KEY_REGIONS_CAPACITY = 10_000;

export class RegionRouter {
  readonly #options: RouterOptions;
  readonly #names: readonly string[];
  readonly #transports = new Map<string, Requester>();
  readonly #breakers = new Map<string, BreakerState>();
  readonly #prober: HealthProber | null;
  readonly keyRegions: KeyRegions;

  constructor(options: RouterOptions) {
    this.#options = options;
    this.#names = options.regions.map((region) => region.name);
    for (const region of options.regions) {
      const { url } = region;
      this.#transports.set(region.name, createHttpRequester({ url, token: options.token, timeoutMs: options.timeoutMs, newRequestId: options.newRequestId }));
      this.#breakers.set(region.name, CLOSED);
    }
    this.keyRegions = new KeyRegions({ ttlMs: options.keyRegionsTtlMs, capacity: KEY_REGIONS_CAPACITY, nowMs: options.ports.nowMs });
    this.#prober = options.probeIntervalMs === null ? null : new HealthProber({
      intervalMs: options.probeIntervalMs,
      probe: (region) => this.#probe(region),
      stillUnhealthy: (region) => this.#breaker(region).status === 'open',
      onReady: (region) => this.#markHealthy(region, 'probe'),
      schedule: options.ports.schedule,
    });
  }

  readonly request: Requester = (request) => this.#send(request);

  /** A requester bound to one region, without routing: for questions about that region (its /readyz, say). */
  requesterFor(region: string): Requester {
    return this.#transport(region);
  }

  /** Which regions the router currently considers healthy. */
  health(): Record<string, boolean> {
    const now = this.#options.ports.nowMs();
    return Object.fromEntries(this.#names.map((name) => [name, isHealthy(this.#breaker(name), now)]));
  }

  close(): void {
    this.#prober?.stop();
  }

  async #send(request: ApiRequest): Promise<ApiResponse> {
    const call: CallProgress = {
      request, deadlineAtMs: this.#options.ports.nowMs() + this.#options.deadlineMs, attempts: 0, tried: new Set(), passes: 0,
      lastRegion: null, lastError: undefined, maybeApplied: false, relearned: false,
    };
    for (;;) {
      const region = await this.#chooseRegion(call);
      try {
        return await this.#attempt(call, region);
      } catch (error) {
        await this.#afterFailure(call, region, error);
      }
    }
  }

  #plan(request: ApiRequest): string[] {
    const now = this.#options.ports.nowMs();
    const allowed = this.keyRegions.allowedFor(request.keyIds);
    return planRoute({ regions: this.#names, home: this.#options.homeRegion, allowed, isHealthy: (r) => isHealthy(this.#breaker(r), now) });
  }

  /** The region of the next attempt; waits (backoff) when every region of the plan failed in this pass. */
  async #chooseRegion(call: CallProgress): Promise<string> {
    let plan = this.#plan(call.request);
    if (plan.length === 0) throw this.#giveUp(call, call.lastError ?? noAllowedRegion(call.request, this.#names));
    let region = nextRegion(plan, call.tried);
    let delayMs = 0;
    if (region === null) {
      call.passes += 1;
      call.tried.clear();
      delayMs = backoffDelayMs(call.passes, this.#options.backoff, this.#options.ports.random);
      if (this.#remainingMs(call) <= delayMs) throw this.#giveUp(call, call.lastError);
      await this.#options.ports.sleep(delayMs);
      plan = this.#plan(call.request);
      region = plan[0] ?? null;
      if (region === null) throw this.#giveUp(call, call.lastError);
    }
    if (call.lastRegion !== null) this.#reportRetry(call, region, delayMs);
    return region;
  }

  #reportRetry(call: CallProgress, region: string, delayMs: number): void {
    const code = call.lastError instanceof LatchkeyClientError ? call.lastError.code : 'Error';
    const { operation } = call.request;
    const fromRegion = call.lastRegion as string;
    this.#options.emit({ type: 'retry', operation, attempt: call.attempts + 1, fromRegion, toRegion: region, code, delayMs });
    if (fromRegion !== region) this.#options.emit({ type: 'failover', operation, fromRegion, toRegion: region, code });
  }

  async #attempt(call: CallProgress, region: string): Promise<ApiResponse> {
    call.attempts += 1;
    const response = await this.#timed(region, call.request, call.attempts, Math.min(this.#options.timeoutMs, this.#remainingMs(call)));
    this.#markHealthy(region, 'call');
    this.#learn(call.request, response.body);
    return response;
  }

  /** One request to one region, reported as a `call` event whatever its outcome. */
  async #timed(region: string, request: ApiRequest, attempt: number, timeoutMs: number): Promise<ApiResponse> {
    const started = this.#options.ports.nowMs();
    const report = (outcome: 'ok' | 'error', code: string | null) => this.#options.emit({
      type: 'call', operation: request.operation, region, outcome, code, durationMs: this.#options.ports.nowMs() - started, attempt,
    });
    try {
      const response = await this.#transport(region)(request, { timeoutMs });
      report('ok', null);
      return response;
    } catch (error) {
      report('error', error instanceof LatchkeyClientError ? error.code : 'Error');
      throw error;
    }
  }

  /** Decides what a failed attempt means; throws when the call must end here. */
  async #afterFailure(call: CallProgress, region: string, error: unknown): Promise<void> {
    call.lastError = error;
    call.lastRegion = region;
    if (outcomeUnknown(call.request, error)) call.maybeApplied = true;
    const failure = classifyFailure(error);
    if (failure === 'region') this.#markFailed(region, error);
    const attemptsLeft = call.attempts < this.#options.maxAttempts && this.#remainingMs(call) > 0;
    if (failure === 'pinned') {
      // A definite refusal before any effect, so even a plain write may go where the key is allowed.
      if (call.relearned || !attemptsLeft) throw this.#giveUp(call, error);
      call.relearned = true;
      call.tried.add(region);
      await this.#learnPolicies(call, region);
      return;
    }
    if (failure === 'final' || !mayRepeat(call.request, error) || !attemptsLeft) throw this.#giveUp(call, error);
    call.tried.add(region);
  }

  /** Asks the region that refused a key for its metadata (every region holds it), to learn where the key lives. */
  async #learnPolicies(call: CallProgress, region: string): Promise<void> {
    for (const reference of call.request.keyIds ?? []) {
      const describe: ApiRequest = { operation: 'DescribeKey', method: 'GET', path: keyPath(reference), effect: 'read', keyIds: [reference] };
      try {
        const response = await this.#timed(region, describe, call.attempts, Math.min(this.#options.timeoutMs, this.#remainingMs(call)));
        this.#learn(describe, response.body);
      } catch {
        // Without the policy the call ends with the refusal it already has; the next call may learn it.
      }
    }
  }

  #learn(request: ApiRequest, body: unknown): void {
    const policy = keyPolicyIn(body);
    if (policy === null) return;
    this.keyRegions.learn(policy.keyId, policy.regions);
    // A call about one key named by alias: the alias resolves to this key now, so remember it under that name too.
    const named = request.keyIds?.length === 1 ? request.keyIds[0] : undefined;
    if (named !== undefined && named !== policy.keyId) this.keyRegions.learn(named, policy.regions);
  }

  #markFailed(region: string, error: unknown): void {
    const before = this.#breaker(region);
    const after = recordFailure(before, this.#options.ports.nowMs(), this.#options.breaker);
    this.#breakers.set(region, after);
    if (before.status === 'closed' && after.status === 'open') {
      this.#options.emit({ type: 'region-unhealthy', region, code: error instanceof LatchkeyClientError ? error.code : 'Error' });
    }
    if (after.status === 'open') this.#prober?.watch(region);
  }

  #markHealthy(region: string, via: 'probe' | 'call'): void {
    const before = this.#breaker(region);
    this.#breakers.set(region, recordSuccess(before));
    if (before.status === 'open') this.#options.emit({ type: 'region-healthy', region, via });
  }

  async #probe(region: string): Promise<boolean> {
    const request: ApiRequest = { operation: 'Ready', method: 'GET', path: '/readyz', effect: 'read', authenticated: false, acceptAnyStatus: true };
    try {
      const response = await this.#transport(region)(request, { timeoutMs: Math.min(PROBE_TIMEOUT_MS, this.#options.timeoutMs) });
      return response.status >= 200 && response.status < 300;
    } catch {
      return false;
    }
  }

  /** The error a call ends with: for a write, indeterminate if any attempt may have been applied. */
  #giveUp(call: CallProgress, error: unknown): unknown {
    if (!(error instanceof LatchkeyClientError)) return error;
    const indeterminate = error.indeterminate || (call.request.effect === 'write' && call.maybeApplied);
    const message = indeterminate && !error.indeterminate
      ? `${error.message} (an earlier attempt may have been applied, so the outcome is unknown)`
      : error.message;
    return new LatchkeyClientError({
      code: error.code, message, status: error.status, requestId: error.requestId, indeterminate,
      cause: error.cause ?? error, region: call.lastRegion ?? error.region, attempts: Math.max(call.attempts, 1),
    });
  }

  #remainingMs(call: CallProgress): number {
    return call.deadlineAtMs - this.#options.ports.nowMs();
  }

  #breaker(region: string): BreakerState {
    return this.#breakers.get(region) ?? CLOSED;
  }

  #transport(region: string): Requester {
    const transport = this.#transports.get(region);
    if (transport === undefined) throw new RangeError(`no region named ${region}`);
    return transport;
  }
}

function noAllowedRegion(request: ApiRequest, configured: readonly string[]): LatchkeyClientError {
  return new LatchkeyClientError({
    code: 'KeyNotAllowedInRegionException',
    message: `${request.operation}: the region policy of ${(request.keyIds ?? []).join(', ')} allows none of the configured regions (${configured.join(', ')})`,
    status: null, requestId: null, indeterminate: false,
  });
}
