// Proves the monotonic-versions checker accepts growing or steady versions and flags a region whose
// current version or revision for a key goes backwards, whatever order the observations come in.
import { describe, expect, it } from 'vitest';
import { checkMonotonicVersions } from './monotonic-versions.ts';
import { observation } from './test-fixtures.ts';

describe('monotonic-versions', () => {
  it('passes versions that grow or stay, per region', () => {
    const observations = [
      observation('a', 1, { currentVersion: 1, revision: 1 }), observation('a', 2, { currentVersion: 2, revision: 2 }),
      observation('b', 1, { currentVersion: 2, revision: 2 }), observation('a', 3, { currentVersion: 2, revision: 3 }),
    ];
    expect(checkMonotonicVersions({ observations }).violations).toEqual([]);
  });

  it('flags a version that falls, even when the observations arrive unsorted', () => {
    const observations = [observation('a', 5, { currentVersion: 1, revision: 6 }), observation('a', 2, { currentVersion: 3, revision: 4 })];
    expect(checkMonotonicVersions({ observations }).violations).toEqual([expect.stringMatching(/current version fell from 3 .* to 1/)]);
  });

  it('flags a revision that falls', () => {
    const observations = [observation('b', 1, { revision: 5 }), observation('b', 2, { revision: 4 })];
    expect(checkMonotonicVersions({ observations }).violations).toEqual([expect.stringMatching(/revision fell from 5/)]);
  });
});
