/** Runs a system command (iptables, ...) without a shell and answers its exit code and output. */
import { execFile } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCommand(command: string, args: readonly string[], timeoutMs = 10_000, stdin?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(command, [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && code === 127 ? error.message : '')) });
    });
    // A command that exits without reading its input closes the pipe: that is not our error.
    child.stdin?.on('error', () => undefined);
    if (stdin === undefined) child.stdin?.end();
    else child.stdin?.end(stdin);
  });
}
