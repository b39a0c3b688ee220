/**
 * First start: create an administrator token and write it to <dataDir>/admin.token (mode 0600).
 * The file is written before the token's hash is committed, so a crash in between leaves no token
 * in the store and the next start simply makes a new one; it never locks the operator out.
 */
import { open, rename } from 'node:fs/promises';
import type { ControlPlane } from './control-plane.ts';
import type { TokenRegistry } from './token-registry.ts';
import { newToken } from './token-registry.ts';

async function writeSecretFile(path: string, content: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

export async function bootstrapAdminToken(deps: { tokens: TokenRegistry; controlPlane: ControlPlane; adminTokenFile: string }): Promise<boolean> {
  if (deps.tokens.size > 0) return false;
  const token = newToken();
  await writeSecretFile(deps.adminTokenFile, `${token}\n`);
  await deps.controlPlane.adoptToken('admin', true, token);
  return true;
}
