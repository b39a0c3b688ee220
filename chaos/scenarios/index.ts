/** Every named scenario, for `pnpm chaos <name>` and `pnpm drill <name>`. */
import type { Scenario } from '../lib/scenario.ts';
import { clockSkew } from './clock-skew.ts';
import { leaderIsolation } from './leader-isolation.ts';
import { natsRestart } from './nats-restart.ts';
import { nodeKill } from './node-kill.ts';
import { regionPartition } from './region-partition.ts';
import { slowLink } from './slow-link.ts';

export const SCENARIOS: readonly Scenario[] = [regionPartition, leaderIsolation, nodeKill, natsRestart, slowLink, clockSkew];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
