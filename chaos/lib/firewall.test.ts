// Proves the rule set of a link cut: both directions of every cut port and of every connection the
// region's processes already hold (by both of its ports), and one cgroup rule per 15 peer ports (multiport's limit),
// written as one iptables-restore transaction.
import { describe, expect, it } from 'vitest';
import { cgroupName, chainName, cutRules, restoreScript } from './firewall.ts';

describe('firewall rules', () => {
  const cut = { name: 'ap', ports: [4001, 4002], processes: [{ pid: 1, label: 'node ap' }], peerPorts: [5001, 5002] };

  it('drops both directions of the region ports and of held connections', () => {
    const rules = cutRules(cut, [{ localPort: 40_123, remotePort: 5001 }]).map((r) => r.join(' '));
    expect(rules).toEqual([
      '-p tcp --dport 4001 -j DROP', '-p tcp --sport 4001 -j DROP',
      '-p tcp --dport 4002 -j DROP', '-p tcp --sport 4002 -j DROP',
      '-p tcp --sport 40123 --dport 5001 -j DROP', '-p tcp --sport 5001 --dport 40123 -j DROP',
      `-p tcp -m cgroup --path ${cgroupName('ap')} -m multiport --dports 5001,5002 -j DROP`,
    ]);
  });

  it('splits peer ports into rules of at most 15', () => {
    const many = { ...cut, peerPorts: Array.from({ length: 20 }, (_, i) => 6000 + i) };
    const cgroupRules = cutRules(many, []).filter((r) => r.includes('cgroup'));
    expect(cgroupRules.map((r) => r[r.indexOf('--dports') + 1]!.split(',').length)).toEqual([15, 5]);
  });

  it('names chains within the iptables limit and wraps rules in one transaction', () => {
    expect(chainName('a-very-long-region-name-indeed').length).toBeLessThanOrEqual(28);
    expect(restoreScript(['-A X -j DROP'])).toBe('*filter\n-A X -j DROP\nCOMMIT\n');
  });
});
