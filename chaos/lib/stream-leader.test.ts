// Proves the stream leader is read from a NATS monitor /jsz answer, and that when servers disagree
// (a cut-off one still names the old leader) the name most of them give wins.
import { describe, expect, it } from 'vitest';
import { leaderInJsz, majorityLeader } from './stream-leader.ts';

const jsz = (leader: string) => ({
  meta_cluster: { leader: 'eu' },
  account_details: [{ name: '$G', stream_detail: [{ name: 'OTHER', cluster: { leader: 'eu' } }, { name: 'LATCHKEY', cluster: { leader, replicas: [] } }] }],
});

describe('stream leader', () => {
  it('finds the leader of the named stream', () => {
    expect(leaderInJsz(jsz('us'), 'LATCHKEY')).toBe('us');
    expect(leaderInJsz(jsz('us'), 'MISSING')).toBeNull();
    expect(leaderInJsz({ account_details: [{ stream_detail: [{ name: 'LATCHKEY', cluster: {} }] }] }, 'LATCHKEY')).toBeNull();
    expect(leaderInJsz(null, 'LATCHKEY')).toBeNull();
  });

  it('takes the majority of the answers', () => {
    expect(majorityLeader(['us', 'ap', 'us'])).toBe('us');
    expect(majorityLeader([null, 'ap', null])).toBe('ap');
    expect(majorityLeader([null, null])).toBeNull();
  });
});
