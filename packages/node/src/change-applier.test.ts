// Proves the applier handles a late redelivery: a change whose first delivery was lost while later
// ones were applied is still applied when it comes back (it is newer for its subject), an older
// change on a subject is skipped, and the cursor never moves backwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEnvelope } from '@latchkey/core';
import { startTestNode, type TestNode } from './testing/test-node.ts';

let t: TestNode;
beforeEach(async () => {
  t = await startTestNode();
});
afterEach(async () => {
  await t.close();
});

function aliasChange(aliasName: string, targetKeyId: string, at: number): ChangeEnvelope {
  return {
    formatVersion: 1, origin: 'local', changeId: `c-${aliasName}-${at}`, createdAtMs: at,
    change: { kind: 'alias', aliasName, alias: { aliasName, targetKeyId, creationDateMs: at, lastUpdatedDateMs: at } },
  };
}

describe('ChangeApplier', () => {
  it('applies a late redelivery that is newer for its subject, skips an older one, keeps the cursor', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    const applier = t.node.applier;
    const base = applier.appliedSeq;
    // Sequences base+1 and base+2 "arrive" after base+3 (their first delivery was lost).
    await applier.apply({ seq: base + 3, subject: 'kms.alias.alias/c', envelope: aliasChange('alias/c', keyId, 3), publishedAtMs: Date.now() });
    expect(applier.appliedSeq).toBe(base + 3);
    const late = await applier.apply({ seq: base + 1, subject: 'kms.alias.alias/a', envelope: aliasChange('alias/a', keyId, 1), publishedAtMs: Date.now() });
    expect(late.action).toBe('apply');
    expect(applier.appliedSeq).toBe(base + 3);
    const again = await applier.apply({ seq: base + 1, subject: 'kms.alias.alias/a', envelope: aliasChange('alias/a', keyId, 1), publishedAtMs: Date.now() });
    expect(again.action).toBe('skip');
    const aliases = (await t.call('GET', '/v1/aliases')).body.aliases.map((a: { aliasName: string }) => a.aliasName);
    expect(aliases).toEqual(['alias/a', 'alias/c']);
    // The durable cursor survives a restart at the highest sequence, not the last one applied.
    t = await t.restart();
    expect(t.node.applier.appliedSeq).toBe(base + 3);
  });
});
