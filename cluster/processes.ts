/**
 * Detached processes that outlive the command which started them, and the checks that let a
 * later command (status, down) act on them safely by pid alone.
 *
 * A pid from a manifest may have been reused by an unrelated process since, so every check asks
 * for a `needle` that must appear in the process's command line (the nats config path, the node
 * entry file). An exited child of a parent that does not reap it stays a zombie that still
 * answers kill(pid, 0); /proc says "Z" and we count it as gone. Without /proc (not Linux) we can
 * only trust kill(pid, 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { logTail as testkitLogTail } from '@latchkey/testkit';
import { ClusterError } from './cluster-error.ts';

export interface DetachedProcess {
  readonly pid: number;
  /** Set once the child exits while the starting command still runs (after that we stop hearing). */
  exit: string | null;
}

export interface SpawnDetachedOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  readonly logPath: string;
}

export function spawnDetached(command: string, args: readonly string[], options: SpawnDetachedOptions): DetachedProcess {
  const logFd = openSync(options.logPath, 'a', 0o600);
  let child: ChildProcess;
  try {
    // detached: its own process group, so a Ctrl-C in the operator's terminal after `up` returned
    // does not reach it; stdin ignored, output to the log, nothing tying it to us.
    child = spawn(command, [...args], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const proc: DetachedProcess = { pid: child.pid ?? 0, exit: null };
  child.once('error', (error) => {
    proc.exit = `could not start: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    proc.exit = signal ? `killed by ${signal}` : `exit code ${String(code)}`;
  });
  if (proc.pid === 0) throw new ClusterError(`could not start ${command} (see ${options.logPath})`);
  child.unref();
  return proc;
}

function procState(pid: number): { state: string; cmdline: string } | null | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces or parentheses; the state follows the last ")".
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { state, cmdline };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    return undefined;
  }
}

function signalZeroAnswers(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to someone else, so it is certainly not one we started.
    return false;
  }
}

let procAvailable: boolean | undefined;
const hasProc = (): boolean => (procAvailable ??= procState(process.pid) != null);

/** True when `pid` runs (not a zombie) and its command line contains `needle`. */
export function isOurProcessAlive(pid: number, needle: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!hasProc()) return signalZeroAnswers(pid);
  const info = procState(pid);
  if (!info) return false;
  return info.state !== 'Z' && info.cmdline.includes(needle);
}

/** True when the process is stopped (SIGSTOP, e.g. by a chaos script that paused it). */
export function isStopped(pid: number): boolean {
  const info = hasProc() ? procState(pid) : null;
  return info?.state === 'T';
}

export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone in the meantime: that is what we wanted.
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until none of the processes is alive or the time is up; answers those still alive. */
export async function waitUntilGone<T extends { pid: number; needle: string }>(procs: readonly T[], timeoutMs: number): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = procs.filter((p) => isOurProcessAlive(p.pid, p.needle));
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await sleep(100);
  }
}

/** The last lines of a log (the testkit's reader; up to 32 KiB read from its end), for messages. */
export const logTail = (path: string, lines = 30): Promise<string> => testkitLogTail(path, lines, 32_768);

export interface OwnedProcess {
  readonly pid: number;
  /** Must appear in the command line; see the top of this file. */
  readonly needle: string;
  /** For messages: "nats-server eu". */
  readonly label: string;
}

/**
 * SIGTERM, then SIGKILL whatever has not exited within `graceMs`. A stopped (paused) process only
 * acts on SIGTERM once continued, so it also gets SIGCONT. Answers the processes still alive at
 * the end, which should be none.
 */
export async function stopProcesses(procs: readonly OwnedProcess[], graceMs: number): Promise<OwnedProcess[]> {
  const alive = procs.filter((p) => isOurProcessAlive(p.pid, p.needle));
  for (const p of alive) {
    sendSignal(p.pid, 'SIGTERM');
    sendSignal(p.pid, 'SIGCONT');
  }
  const stubborn = await waitUntilGone(alive, graceMs);
  for (const p of stubborn) sendSignal(p.pid, 'SIGKILL');
  return waitUntilGone(stubborn, 5000);
}
