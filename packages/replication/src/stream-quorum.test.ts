import { describe, expect, it } from 'vitest';
import { leaderHasQuorum } from './stream-quorum.ts';

const ms = (n: number): number => n * 1_000_000;
const follower = (active: number, current = true, offline = false) => ({ current, offline, active: ms(active) });

describe('leaderHasQuorum', () => {
  it('an R3 leader with one follower current and heard from recently has a quorum', () => {
    expect(leaderHasQuorum({ leader: 'eu', replicas: [follower(300), follower(9000)] }, 3)).toBe(true);
  });

  it('a leader cut off from both followers does not, although it still names itself leader', () => {
    expect(leaderHasQuorum({ leader: 'ap', replicas: [follower(4000), follower(4100)] }, 3)).toBe(false);
  });

  it('followers that are behind or offline do not count', () => {
    expect(leaderHasQuorum({ leader: 'eu', replicas: [follower(100, false), follower(100, true, true)] }, 3)).toBe(false);
  });

  it('no leader (being elected, or this server cut off) is no quorum', () => {
    expect(leaderHasQuorum({ replicas: [follower(100), follower(100)] }, 3)).toBe(false);
  });

  it('an R5 leader needs two live followers', () => {
    expect(leaderHasQuorum({ leader: 'a', replicas: [follower(100), follower(9000), follower(9000), follower(9000)] }, 5)).toBe(false);
    expect(leaderHasQuorum({ leader: 'a', replicas: [follower(100), follower(200), follower(9000), follower(9000)] }, 5)).toBe(true);
  });

  it('a single-replica or unclustered stream is its own quorum', () => {
    expect(leaderHasQuorum({ leader: 'a', replicas: [] }, 1)).toBe(true);
    expect(leaderHasQuorum(undefined, 1)).toBe(true);
  });

  it('the activity limit is inclusive and adjustable', () => {
    expect(leaderHasQuorum({ leader: 'a', replicas: [follower(2500)] }, 3)).toBe(true);
    expect(leaderHasQuorum({ leader: 'a', replicas: [follower(1500)] }, 3, 1000)).toBe(false);
  });
});
