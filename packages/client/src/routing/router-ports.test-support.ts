/**
 * Test doubles of the router's ports: a clock that moves only when a test (or a backoff sleep)
 * moves it, a seeded random source, a sleep that records its waits and returns at once, and a
 * scheduler whose tasks run when the test says so. Plus a URL nothing listens on.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../testing/seeded-random.ts';
import type { RouterPorts } from './router-ports.ts';

export interface FakePorts {
  readonly ports: RouterPorts;
  readonly clock: { now: number };
  readonly sleeps: number[];
  /** Starts every task scheduled so far (health probes); they settle on their own (see `until`). */
  runScheduled(): void;
  /** Scheduled tasks not yet run or cancelled. */
  pending(): number;
}

export function fakePorts(seed: number): FakePorts {
  const clock = { now: 0 };
  const sleeps: number[] = [];
  let tasks: { run: () => void; cancelled: boolean }[] = [];
  const ports: RouterPorts = {
    nowMs: () => clock.now,
    random: seededRandom(seed),
    async sleep(ms) {
      sleeps.push(ms);
      clock.now += ms;
    },
    schedule(run) {
      const task = { run, cancelled: false };
      tasks.push(task);
      return () => {
        task.cancelled = true;
      };
    },
  };
  return {
    ports, clock, sleeps,
    runScheduled() {
      const due = tasks;
      tasks = [];
      for (const task of due) if (!task.cancelled) task.run();
    },
    pending: () => tasks.filter((task) => !task.cancelled).length,
  };
}

/** A loopback URL whose port was just free, so connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Waits (in real time, polling) until `condition` holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new RangeError(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
