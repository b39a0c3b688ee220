/**
 * One nats-server child process: started with its output appended to a log file, signalled, and
 * tracked so that no server outlives the test process. Every child is registered with a single
 * `process.on('exit')` hook that SIGKILLs whatever is still running (SIGKILL also ends a process
 * stopped with SIGSTOP). A test process killed with SIGKILL cannot run that hook; nothing can.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { TestkitError } from './testkit-error.ts';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    process.on('exit', killAllNow);
    exitHookInstalled = true;
  }
}

/** Debian installs nats-server outside an ordinary user's PATH. */
export const NATS_SERVER_DEBIAN_PATH = '/usr/sbin/nats-server';

/** Where nats-server may be: every folder of `path` (a PATH value, in order), then Debian's place. */
export const natsServerCandidates = (path: string): string[] => [
  ...path.split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server')),
  NATS_SERVER_DEBIAN_PATH,
];

/** The first candidate that is an executable file, or null. */
export function firstExecutable(candidates: readonly string[]): string | null {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next place.
    }
  }
  return null;
}

/** The nats-server binary: an explicit path, else the first on PATH (what `which` finds), else Debian's. */
export function findNatsServer(explicit?: string): string {
  const candidates = explicit ? [explicit] : natsServerCandidates(process.env.PATH ?? '');
  const found = firstExecutable(candidates);
  if (found === null) throw new TestkitError(`nats-server not found (looked at ${candidates.join(', ')}); install it with apt-get install nats-server`);
  return found;
}

export interface ServerProcess {
  readonly pid: number;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** "exit code 1" or "signal SIGKILL", for error messages. */
  exitSummary(): string;
  paused: boolean;
  signal(signal: NodeJS.Signals): void;
}

export function spawnNatsServer(binary: string, configPath: string, logPath: string): ServerProcess {
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, ['-c', configPath], { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  if (child.pid === undefined) throw new TestkitError(`could not start ${binary} with ${configPath}`);
  track(child);
  // The child must not keep the test process alive on its own; the exit hook ends it.
  child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const proc: ServerProcess = {
    pid: child.pid,
    exited,
    paused: false,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    exitSummary: () => (child.signalCode ? `signal ${child.signalCode}` : `exit code ${String(child.exitCode)}`),
    signal: (signal) => {
      if (!proc.hasExited()) child.kill(signal);
    },
  };
  return proc;
}

/** Waits for exit, at most `ms`; the timer is referenced so that the event loop stays up meanwhile. */
async function exitedWithin(proc: ServerProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([proc.exited.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Graceful stop (SIGTERM), then SIGKILL if the server has not gone within `graceMs`. */
export async function stopServerProcess(proc: ServerProcess, graceMs = 5000): Promise<void> {
  if (proc.hasExited()) return;
  // A stopped process only acts on SIGTERM once continued.
  if (proc.paused) proc.signal('SIGCONT');
  proc.paused = false;
  proc.signal('SIGTERM');
  if (!(await exitedWithin(proc, graceMs))) {
    proc.signal('SIGKILL');
    await exitedWithin(proc, 10_000);
  }
}

export async function killServerProcess(proc: ServerProcess): Promise<void> {
  proc.signal('SIGKILL');
  proc.paused = false;
  await exitedWithin(proc, 10_000);
}

/**
 * The last `lines` lines of a log file (trailing blank lines dropped), read from its end so that a
 * long log costs nothing: at most `maxBytes` are read. For error messages, so it never throws.
 */
export async function logTail(logPath: string, lines = 25, maxBytes = 16_384): Promise<string> {
  try {
    const file = await open(logPath, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8').trimEnd();
      return text === '' ? '(empty log)' : text.split('\n').slice(-lines).join('\n');
    } finally {
      await file.close();
    }
  } catch (error) {
    return `(no log at ${logPath}: ${(error as Error).message})`;
  }
}
