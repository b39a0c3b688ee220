import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOurProcessAlive, isStopped, logTail, sendSignal, sleep, spawnDetached, stopProcesses } from './processes.ts';
import { withTempDir } from './test-support.ts';

// A process whose command line we know: node evaluating a script that names itself.
function startSleeper(logPath: string, tag: string, ignoreTerm = false) {
  const script = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} console.log('${tag} up'); setInterval(() => {}, 1000);`;
  return spawnDetached(process.execPath, ['-e', script, tag], { cwd: process.cwd(), env: process.env, logPath });
}

describe('detached processes', () => {
  it('recognises a live process only with the right command-line needle', () => {
    expect(isOurProcessAlive(process.pid, process.execPath)).toBe(true);
    expect(isOurProcessAlive(process.pid, 'no-such-needle-in-my-command-line')).toBe(false);
    expect(isOurProcessAlive(0, '')).toBe(false);
    expect(isOurProcessAlive(2 ** 22 + 12_345, '')).toBe(false);
  });

  it('stops processes, a paused one and one that ignores SIGTERM included', async () => {
    await withTempDir(async (dir) => {
      const logPath = join(dir, 'sleepers.log');
      const plain = startSleeper(logPath, 'sleeper-plain');
      const paused = startSleeper(logPath, 'sleeper-paused');
      const stubborn = startSleeper(logPath, 'sleeper-stubborn', true);
      const owned = [
        { pid: plain.pid, needle: 'sleeper-plain', label: 'plain' },
        { pid: paused.pid, needle: 'sleeper-paused', label: 'paused' },
        { pid: stubborn.pid, needle: 'sleeper-stubborn', label: 'stubborn' },
      ];
      for (let i = 0; i < 50 && !(await logTail(logPath)).includes('sleeper-stubborn up'); i++) await sleep(100);
      sendSignal(paused.pid, 'SIGSTOP');
      await sleep(100);
      expect(isStopped(paused.pid)).toBe(true);
      expect(owned.every((p) => isOurProcessAlive(p.pid, p.needle))).toBe(true);
      const left = await stopProcesses(owned, 1000);
      expect(left).toEqual([]);
      expect(owned.some((p) => isOurProcessAlive(p.pid, p.needle))).toBe(false);
      // /proc can show them gone (reaped or zombie) a moment before Node reports the exit events.
      for (let i = 0; i < 50 && (stubborn.exit === null || plain.exit === null); i++) await sleep(20);
      expect(stubborn.exit).toBe('killed by SIGKILL');
      expect(plain.exit).toBe('killed by SIGTERM');
    });
  });

  it('reads the end of a log, and says so when there is none', async () => {
    await withTempDir(async (dir) => {
      expect(await logTail(join(dir, 'missing.log'))).toMatch(/^\(no log at /);
    });
  });
});
