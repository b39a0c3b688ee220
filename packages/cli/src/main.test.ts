// Proves the real entry point runs as documented (`node packages/cli/src/main.ts ...`): Node strips
// the types, resolves @latchkey/client through the workspace, and sets the exit status and streams.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '@latchkey/client/testing';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());

function latchkey(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('main.ts', () => {
  it('runs a command against a node and exits 0', async () => {
    server.answer({ body: { keys: [{ keyId: 'k1' }], truncated: false } });
    const result = await latchkey(['keys', 'list'], { LATCHKEY_URL: server.url, LATCHKEY_TOKEN: 'tok' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual([{ keyId: 'k1' }]);
    expect(server.last().headers.authorization).toBe('Bearer tok');
  });

  it('exits 1 on a service error and 2 on a usage error', async () => {
    server.answer({ status: 403, body: { code: 'AccessDeniedException', message: 'admins only' } });
    const denied = await latchkey(['tokens', 'list', '--url', server.url, '--token', 'tok']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error AccessDeniedException: admins only/);
    const usage = await latchkey(['nonsense']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error UsageError: unknown command: nonsense/);
  });
});
