// Proves the no-lost-versions checker passes a sound history and flags each way a version can be
// lost: missing in an allowed region, replaced by other material, cut from the record, destroyed
// without a request, or the key gone everywhere.
import { describe, expect, it } from 'vitest';
import { checkNoLostVersions } from './no-lost-versions.ts';
import { KEY, snapshot, view } from './test-fixtures.ts';

const acknowledged = [{ keyId: KEY, keyVersion: 1, materialId: 'm1' }, { keyId: KEY, keyVersion: 2, materialId: 'm2' }];
const sound = [snapshot('a', view()), snapshot('b', view()), snapshot('c', view({ heldVersions: [], materialIds: {} }))];
const check = (regions = sound, mayBeDestroyed: string[] = []) => checkNoLostVersions({ acknowledged, mayBeDestroyed, regions }).violations;

describe('no-lost-versions', () => {
  it('passes when every allowed region holds every acknowledged version (the region outside the policy holds none)', () => {
    expect(check()).toEqual([]);
  });

  it('flags an allowed region without the material', () => {
    expect(check([sound[0]!, snapshot('b', view({ heldVersions: [1], materialIds: { 1: 'm1' } }))])).toEqual([expect.stringMatching(/v2: region b .* holds no material/)]);
  });

  it('flags different material under the acknowledged version number', () => {
    expect(check([sound[0]!, snapshot('b', view({ materialIds: { 1: 'm1', 2: 'other' } }))])).toEqual([expect.stringMatching(/holds material other, but m2/)]);
  });

  it('flags a record that no longer lists the version', () => {
    const behind = view({ currentVersion: 1, revision: 9, heldVersions: [1], materialIds: { 1: 'm1' } });
    expect(check([snapshot('a', behind), snapshot('b', behind)])).toEqual([expect.stringMatching(/stops at v1/)]);
  });

  it('flags an allowed region that has no record of the key', () => {
    expect(check([sound[0]!, snapshot('b')])).toHaveLength(2);
  });

  it('flags a destruction nobody asked for, and accepts one that was asked for', () => {
    const destroyed = [snapshot('a', view({ keyState: 'Destroyed', revision: 5, heldVersions: [], materialIds: {} }))];
    expect(check(destroyed)).toHaveLength(2);
    expect(check(destroyed, [KEY])).toEqual([]);
  });

  it('flags a key that no region knows', () => {
    expect(check([snapshot('a'), snapshot('b')])).toHaveLength(2);
  });
});
