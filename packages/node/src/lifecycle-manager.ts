/**
 * Drives scheduled work: destroys keys whose deletion window has passed and rotates keys whose
 * rotation is due. What is due is decided by the pure core against the injected clock; `tick()`
 * is what the timer calls and what tests call after advancing a manual clock.
 */
import { LatchkeyError, dueLifecycleCommands, type Clock, type KeyCommand, type KeyRecord } from '@latchkey/core';
import type { Logger } from 'pino';
import type { KeyDirectory } from './key-directory.ts';

export interface LifecycleTickResult {
  readonly destroyed: string[];
  readonly rotated: string[];
  readonly failed: string[];
}

export class LifecycleManager {
  readonly #directory: KeyDirectory;
  /** Runs a due command; it must re-check due-ness on the latest state (another region may have done it). */
  readonly #run: (keyId: string, command: KeyCommand) => Promise<KeyRecord>;
  readonly #clock: Clock;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<LifecycleTickResult> | null = null;

  constructor(deps: { directory: KeyDirectory; run: (keyId: string, command: KeyCommand) => Promise<KeyRecord>; clock: Clock; log: Logger }) {
    this.#directory = deps.directory;
    this.#run = deps.run;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.tick(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  get started(): boolean {
    return this.#timer !== null;
  }

  /** One pass over every key. Overlapping calls share the pass in progress. */
  tick(): Promise<LifecycleTickResult> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<LifecycleTickResult> {
    const result: LifecycleTickResult = { destroyed: [], rotated: [], failed: [] };
    const nowMs = this.#clock.nowMs();
    const due = [...this.#directory.keys()].flatMap((record) =>
      dueLifecycleCommands(record, nowMs).map((command) => ({ keyId: record.keyId, command })),
    );
    for (const { keyId, command } of due) {
      try {
        const before = this.#directory.getKey(keyId);
        const after = await this.#run(keyId, command);
        // Unchanged means another region already did it: exactly one change lands.
        if (after.revision === before?.revision) continue;
        (command.type === 'destroy' ? result.destroyed : result.rotated).push(keyId);
        this.#log.info({ keyId, action: command.type }, 'lifecycle action applied');
      } catch (error) {
        result.failed.push(keyId);
        const code = error instanceof LatchkeyError ? error.code : 'KMSInternalException';
        this.#log.warn({ keyId, action: command.type, code }, 'lifecycle action failed');
      }
    }
    return result;
  }
}
