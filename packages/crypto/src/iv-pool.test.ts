// Proves the IV pool hands out fresh, unshared buffers of the asked-for length and never repeats
// bytes across refills (no IV among many thousands repeats, which a reused pool offset would cause).
import { describe, expect, it } from 'vitest';
import { nextIv } from './iv-pool.ts';

describe('nextIv', () => {
  it('gives distinct 12-byte IVs across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const iv = nextIv(12);
      expect(iv.length).toBe(12);
      seen.add(iv.toString('hex'));
    }
    expect(seen.size).toBe(20_000);
  });

  it('returns buffers that own their memory, so a caller cannot reach the pool', () => {
    const iv = nextIv(12);
    expect(iv.byteOffset).toBe(0);
    expect(iv.buffer.byteLength).toBe(12);
  });
});
