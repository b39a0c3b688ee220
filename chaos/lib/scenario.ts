/**
 * What a chaos scenario is. A scenario applies its fault step by step and registers, right after
 * each step, how to undo it; the runner (scenario-runner.ts) holds the fault and then undoes the
 * steps in reverse order, also when the fault could only be half applied or the operator pressed
 * Ctrl-C. That keeps every scenario self-healing without each one re-implementing the bookkeeping.
 */
import type { Manifest } from '../../cluster/manifest.ts';
import type { Log } from './event-log.ts';

export type PartitionMethod = 'auto' | 'pause' | 'firewall' | 'both';

export interface ScenarioOptions {
  /** region-partition, leader-isolation: how to cut the region (see capabilities.ts). */
  readonly method: PartitionMethod;
  /** slow-link: added one-way delay per direction. */
  readonly latencyMs: number;
  /** clock-skew: how far the node's clock is moved (negative: into the past). */
  readonly skewMs: number;
}

export const DEFAULT_SCENARIO_OPTIONS: ScenarioOptions = { method: 'auto', latencyMs: 150, skewMs: 300_000 };

export interface ChaosContext {
  readonly base: string;
  /** Re-read from disk: a scenario that restarts a process writes the new pid into the manifest. */
  manifest(): Promise<Manifest>;
  /** The region asked for with --region, or null to let the scenario choose. */
  readonly region: string | null;
  readonly durationMs: number;
  readonly options: ScenarioOptions;
  readonly log: Log;
  /** Aborted on SIGINT/SIGTERM: long steps should stop waiting and let the undo run. */
  readonly signal: AbortSignal;
  /** Registers how to undo the step just applied; steps are undone last-first. */
  onUndo(label: string, undo: () => Promise<void>): void;
}

export interface Injected {
  /** The region(s) the fault hit, for the report. */
  readonly target: string;
  /** How it was applied, e.g. "SIGSTOP" or "iptables + cgroup". */
  readonly method: string;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /**
   * False for scenarios that are a sequence of actions over time (a rolling restart): the runner
   * does not hold them afterwards, they use durationMs themselves.
   */
  readonly holds: boolean;
  inject(ctx: ChaosContext): Promise<Injected>;
}
