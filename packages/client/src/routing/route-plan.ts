/**
 * Where a call may go, in order, as a pure function. Only regions the call's keys are allowed in
 * are listed (region pinning is a hard rule, not a preference). Among those the home region comes
 * first, then the others in the order they were configured (nearest first, by convention); healthy
 * regions before unhealthy ones, which stay at the end as a last resort because a breaker's view can
 * be stale and a call that might succeed is better than one refused without trying.
 */

export interface PlanInput {
  /** Configured regions, in preference order. */
  readonly regions: readonly string[];
  readonly home: string;
  /** Regions the call's keys may be used in; null when no key constrains it. */
  readonly allowed: ReadonlySet<string> | null;
  readonly isHealthy: (region: string) => boolean;
}

export function planRoute(input: PlanInput): string[] {
  const permitted = (region: string) => input.allowed === null || input.allowed.has(region);
  const ordered = [input.home, ...input.regions.filter((region) => region !== input.home)].filter(permitted);
  const healthy = ordered.filter((region) => input.isHealthy(region));
  const unhealthy = ordered.filter((region) => !input.isHealthy(region));
  return [...healthy, ...unhealthy];
}

/** The first region of the plan this pass has not tried yet; null when the pass is over. */
export function nextRegion(plan: readonly string[], tried: ReadonlySet<string>): string | null {
  return plan.find((region) => !tried.has(region)) ?? null;
}
