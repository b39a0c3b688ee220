/**
 * What clients do to the simulated deployment: control-plane writes (create, commands, lifecycle
 * sweeps, retries of indeterminate writes with the same change id) and data-plane calls (encrypt,
 * decrypt). Each call is recorded in the world's history with the outcome the client saw.
 */
import {
  LatchkeyError, applyKeyCommand, createKeyRecord, dueLifecycleCommands, toLatchkeyError,
  type KeyCommand, type KeyRecord,
} from '@latchkey/core';
import { entryFromDataPlane, entryFromWrite, type EntryFields } from './history.ts';
import type { WriteIntent } from './region-writer.ts';
import type { SimWorld } from './sim-world.ts';

export const COMMAND_NAMES = [
  'rotate', 'disable', 'enable', 'scheduleDeletion', 'cancelDeletion', 'enableRotation', 'addRegion', 'removeRegion', 'unpin',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Key ids derive from the request, as a node may derive them from an idempotency key: a retry names the same key. */
function keyIdFor(requestId: string): string {
  const n = Number(requestId.slice(requestId.lastIndexOf('-') + 1));
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function commandFor(name: CommandName, record: KeyRecord, region: string, deployment: readonly string[]): KeyCommand {
  const policy = record.regions ?? deployment;
  switch (name) {
    case 'rotate': return { type: 'rotate', rotationType: 'ON_DEMAND' };
    case 'disable': return { type: 'disable' };
    case 'enable': return { type: 'enable' };
    case 'scheduleDeletion': return { type: 'scheduleDeletion', pendingWindowDays: 7 };
    case 'cancelDeletion': return { type: 'cancelDeletion' };
    case 'enableRotation': return { type: 'enableRotation', rotationPeriodDays: 90 };
    case 'addRegion': return { type: 'setRegions', regions: [...policy, region] };
    case 'removeRegion': return { type: 'setRegions', regions: policy.filter((r) => r !== region) };
    case 'unpin': return { type: 'setRegions', regions: null };
  }
}

/**
 * `firstAtMs`: when the client first sent this change id. Retries stop once the stream's duplicate
 * window has passed since then (not since the latest retry): past it, a landed original that a
 * bounded history has already purged can no longer be recognised, and a resend would apply twice.
 */
function runWrite(world: SimWorld, region: string, intent: WriteIntent, fields: EntryFields, firstAtMs = world.nowMs): void {
  const result = world.region(region).write(world.port(region), intent);
  const entry = entryFromWrite(world.history.length, fields, result);
  world.history.push(entry);
  if (fields.kind === 'create' && result.outcome !== 'fail' && !world.knownKeys.includes(intent.keyId)) world.knownKeys.push(intent.keyId);
  if (result.outcome !== 'indeterminate') return;
  world.retryable.push({
    entry,
    retry: (w, at) => {
      if (w.nowMs - firstAtMs >= w.config.duplicateWindowMs) return;
      const description = `retry of #${entry.index} (${fields.description})`;
      runWrite(w, at, { ...intent, retryOfIndeterminate: true }, { ...fields, region: at, step: w.step, description, retryOf: entry.index }, firstAtMs);
    },
  });
}

export function createKey(world: SimWorld, region: string, pinned: readonly string[] | null): void {
  const changeId = world.nextId('req');
  const keyId = keyIdFor(changeId);
  const regions = pinned === null || pinned.length === 0 ? null : [...pinned];
  const build = (current: KeyRecord | null, nowMs: number): KeyRecord => {
    if (current !== null) throw new LatchkeyError('AlreadyExistsException', `key ${keyId} already exists`);
    return createKeyRecord({ keyId, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', regions }, nowMs);
  };
  const description = `create ${keyId.slice(-4)} pinned to ${regions?.join('+') ?? 'all'}`;
  runWrite(world, region, { keyId, changeId, build, syncFirst: false, retryOfIndeterminate: false, settle: false },
    { step: world.step, region, kind: 'create', description, keyId, changeId, command: 'create' });
}

export interface CommandOptions {
  readonly name: CommandName;
  /** The region a setRegions command adds or removes. */
  readonly regionArg: string;
  /** Make the write conditional on the revision this region shows now (a client that read there first). */
  readonly readFrom: string | null;
  readonly syncFirst: boolean;
}

export function keyCommand(world: SimWorld, region: string, keyId: string, options: CommandOptions): void {
  const changeId = world.nextId('req');
  const expectedRevision = options.readFrom === null ? undefined : world.region(options.readFrom).store.keys.get(keyId)?.record.revision;
  const deployment = world.config.regions;
  const build = (current: KeyRecord | null, nowMs: number): KeyRecord => {
    if (current === null) throw new LatchkeyError('NotFoundException', `key ${keyId} does not exist`);
    if (expectedRevision !== undefined && current.revision !== expectedRevision) {
      throw new LatchkeyError('ConflictException', `key ${keyId} is at revision ${current.revision}, not ${expectedRevision}`);
    }
    return applyKeyCommand(current, commandFor(options.name, current, options.regionArg, deployment), nowMs);
  };
  const arg = options.name === 'addRegion' || options.name === 'removeRegion' ? ` ${options.regionArg}` : '';
  const condition = expectedRevision === undefined ? '' : ` if revision ${expectedRevision}`;
  const description = `${options.name}${arg} ${keyId.slice(-4)}${condition}${options.syncFirst ? ' (sync first)' : ''}`;
  runWrite(world, region, { keyId, changeId, build, syncFirst: options.syncFirst, retryOfIndeterminate: false, settle: true },
    { step: world.step, region, kind: 'command', description, keyId, changeId, command: options.name });
}

/** The lifecycle manager: every region sweeps the keys it knows; a shared change id per due action dedupes. */
export function sweep(world: SimWorld, region: string): void {
  const records = [...world.region(region).store.keys.values()].map((l) => l.record).sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
  for (const record of records) {
    const due = dueLifecycleCommands(record, world.nowMs)[0];
    if (due === undefined) continue;
    const changeId = `life/${record.keyId}/${record.revision}/${due.type}`;
    const build = (current: KeyRecord | null, nowMs: number): KeyRecord | null => {
      const still = current === null ? undefined : dueLifecycleCommands(current, nowMs).find((c) => c.type === due.type);
      return current === null || still === undefined ? null : applyKeyCommand(current, still, nowMs);
    };
    runWrite(world, region, { keyId: record.keyId, changeId, build, syncFirst: true, retryOfIndeterminate: false, settle: true },
      { step: world.step, region, kind: 'lifecycle', description: `lifecycle ${due.type} ${record.keyId.slice(-4)}`, keyId: record.keyId, changeId, command: due.type });
  }
}

export function encrypt(world: SimWorld, region: string, keyId: string): void {
  const ciphertextId = world.nextId('ct');
  const fields: EntryFields = { step: world.step, region, kind: 'encrypt', description: `encrypt under ${keyId.slice(-4)}`, keyId, changeId: null, command: null, ciphertextId };
  try {
    world.ciphertexts.push(world.region(region).encrypt(keyId, `plaintext of ${ciphertextId}`, ciphertextId, world.nowMs));
    world.history.push(entryFromDataPlane(world.history.length, fields, 'ok', null));
  } catch (thrown) {
    world.history.push(entryFromDataPlane(world.history.length, fields, 'fail', toLatchkeyError(thrown).code));
  }
}

export function decrypt(world: SimWorld, region: string, ciphertextIndex: number): void {
  const ciphertext = world.ciphertexts[ciphertextIndex % world.ciphertexts.length];
  if (ciphertext === undefined) return;
  const fields: EntryFields = {
    step: world.step, region, kind: 'decrypt', description: `decrypt ${ciphertext.ciphertextId}`, keyId: ciphertext.keyId, changeId: null, command: null,
    ciphertextId: ciphertext.ciphertextId,
  };
  try {
    const plaintext = world.region(region).decrypt(ciphertext, world.nowMs);
    if (plaintext !== ciphertext.plaintext) world.region(region).reportAnomaly(`${region}: ${ciphertext.ciphertextId} decrypted to the wrong plaintext`);
    world.history.push(entryFromDataPlane(world.history.length, fields, 'ok', null));
  } catch (thrown) {
    world.history.push(entryFromDataPlane(world.history.length, fields, 'fail', toLatchkeyError(thrown).code));
  }
}
