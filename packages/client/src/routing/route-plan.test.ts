// Proves the routing order: home first when healthy and allowed, then the other regions in
// configured order; unhealthy regions last (never dropped); regions outside a key's policy never
// listed, whatever their health; and a pass ends when every planned region was tried.
import { describe, expect, it } from 'vitest';
import { nextRegion, planRoute } from './route-plan.ts';

const REGIONS = ['eu', 'us', 'ap'];
const all = () => true;

describe('planRoute', () => {
  it('puts the home region first, then the configured order', () => {
    expect(planRoute({ regions: REGIONS, home: 'eu', allowed: null, isHealthy: all })).toEqual(['eu', 'us', 'ap']);
    expect(planRoute({ regions: REGIONS, home: 'us', allowed: null, isHealthy: all })).toEqual(['us', 'eu', 'ap']);
  });

  it('moves unhealthy regions, home included, to the end in the same order', () => {
    const isHealthy = (r: string) => r !== 'eu';
    expect(planRoute({ regions: REGIONS, home: 'eu', allowed: null, isHealthy })).toEqual(['us', 'ap', 'eu']);
    expect(planRoute({ regions: REGIONS, home: 'eu', allowed: null, isHealthy: () => false })).toEqual(['eu', 'us', 'ap']);
  });

  it('lists only regions the keys are allowed in, even when the others are the only healthy ones', () => {
    const allowed = new Set(['us', 'ap']);
    expect(planRoute({ regions: REGIONS, home: 'eu', allowed, isHealthy: all })).toEqual(['us', 'ap']);
    expect(planRoute({ regions: REGIONS, home: 'eu', allowed, isHealthy: (r) => r === 'eu' })).toEqual(['us', 'ap']);
    expect(planRoute({ regions: REGIONS, home: 'eu', allowed: new Set(['mars']), isHealthy: all })).toEqual([]);
  });

  it('comes back home as soon as home is healthy again', () => {
    let eu = false;
    const plan = () => planRoute({ regions: REGIONS, home: 'eu', allowed: null, isHealthy: (r) => r !== 'eu' || eu });
    expect(plan()[0]).toBe('us');
    eu = true;
    expect(plan()[0]).toBe('eu');
  });
});

describe('nextRegion', () => {
  it('takes the first untried region of the plan, null once all were tried', () => {
    expect(nextRegion(['eu', 'us'], new Set())).toBe('eu');
    expect(nextRegion(['eu', 'us'], new Set(['eu']))).toBe('us');
    expect(nextRegion(['eu', 'us'], new Set(['eu', 'us']))).toBeNull();
  });
});
