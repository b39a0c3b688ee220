// Proves how a partition method is chosen from what the machine allows: auto cuts links only when
// root, iptables with the cgroup match and cgroup v2 are all there, else it pauses and says why; an
// explicit firewall request on a machine without them is refused rather than silently downgraded.
import { describe, expect, it } from 'vitest';
import { canFirewall, detectCapabilities, planPartition, type Capabilities } from './capabilities.ts';

const full: Capabilities = { root: true, iptables: 'iptables v1.8.9 (nf_tables)', cgroup2: '/sys/fs/cgroup', cgroupMatch: true, faketime: null, notes: [] };
const unprivileged: Capabilities = { ...full, root: false, iptables: null, cgroupMatch: false, notes: ['not running as root'] };

describe('partition capability', () => {
  it('cuts links when everything is there', () => {
    expect(canFirewall(full)).toBe(true);
    expect(planPartition(full, 'auto')).toMatchObject({ firewall: true, pause: false, note: null });
    expect(planPartition(full, 'both')).toMatchObject({ firewall: true, pause: true });
  });

  it('falls back to pausing under auto, and says why', () => {
    const plan = planPartition(unprivileged, 'auto');
    expect(plan).toMatchObject({ firewall: false, pause: true });
    expect(plan.note).toMatch(/not running as root/);
  });

  it('needs every piece: a missing cgroup match is enough to fall back', () => {
    expect(canFirewall({ ...full, cgroupMatch: false })).toBe(false);
    expect(canFirewall({ ...full, cgroup2: null })).toBe(false);
  });

  it('refuses an explicit firewall method it cannot do, and always allows pause', () => {
    expect(() => planPartition(unprivileged, 'firewall')).toThrow(/needs root/);
    expect(() => planPartition(unprivileged, 'both')).toThrow(/needs root/);
    expect(planPartition(full, 'pause')).toMatchObject({ firewall: false, pause: true });
  });

  it('detects this machine without failing, and agrees with itself', async () => {
    const caps = await detectCapabilities();
    expect(caps.root).toBe(process.getuid?.() === 0);
    expect(canFirewall(caps)).toBe(caps.root && caps.iptables !== null && caps.cgroup2 !== null && caps.cgroupMatch);
    if (!canFirewall(caps)) expect(caps.notes.length).toBeGreaterThan(0);
  });
});
