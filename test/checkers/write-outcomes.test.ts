// Proves the write-outcomes checker accepts truthful outcomes (ok landed once, fail not at all,
// indeterminate at most once, a retry sharing its id) and flags an acknowledged write that never
// landed, a failed write that landed, and a change that landed twice.
import { describe, expect, it } from 'vitest';
import { checkWriteOutcomes, type StreamWrite, type WriteRecord } from './write-outcomes.ts';

const landed = (...ids: string[]): StreamWrite[] => ids.map((msgId, i) => ({ seq: i + 1, subject: 'kms.key.k1', msgId }));
const check = (writes: WriteRecord[], stream: StreamWrite[]) => checkWriteOutcomes({ writes, stream, complete: true }).violations;

describe('write-outcomes', () => {
  it('passes a truthful history', () => {
    const writes: WriteRecord[] = [
      { changeId: 'w1', outcome: 'ok' }, { changeId: 'w2', outcome: 'fail' }, { changeId: 'w3', outcome: 'indeterminate' },
      { changeId: 'w4', outcome: 'indeterminate' }, { changeId: 'w4', outcome: 'ok' },
    ];
    expect(check(writes, landed('w1', 'w4'))).toEqual([]);
  });

  it('flags an acknowledged write that is not on the stream', () => {
    expect(check([{ changeId: 'w1', outcome: 'ok' }], landed())).toEqual([expect.stringMatching(/acknowledged but never reached/)]);
  });

  it('flags a write reported failed that is on the stream', () => {
    expect(check([{ changeId: 'w2', outcome: 'fail' }], landed('w2'))).toEqual([expect.stringMatching(/reported failed but is on the stream/)]);
  });

  it('flags a change that landed twice, even one no client recorded', () => {
    expect(check([{ changeId: 'w3', outcome: 'indeterminate' }], landed('w3', 'w3', 'x', 'x'))).toEqual([
      expect.stringMatching(/w3 .* 2 times/), expect.stringMatching(/x is on the stream 2 times/),
    ]);
  });
});
