import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClusterError } from './cluster-error.ts';
import { allocatePorts, RESERVED_PORTS, type PortSource } from './ports.ts';

const scripted = (ports: number[]): PortSource => async () => ports.shift() ?? 0;

describe('port allocation', () => {
  it('skips the standard NATS ports, repeats and ports this run already used', async () => {
    const ports = await allocatePorts(3, new Set([40_002]), scripted([4222, 40_001, 8222, 40_001, 40_002, 6222, 40_003, 40_004]));
    expect(ports).toEqual([40_001, 40_003, 40_004]);
  });

  it('gives up with a clear error when the OS keeps offering unusable ports', async () => {
    await expect(allocatePorts(2, new Set(), async () => 4222)).rejects.toThrow(ClusterError);
  });

  it('hands out distinct, bindable loopback ports from the OS', async () => {
    const ports = await allocatePorts(12);
    expect(new Set(ports).size).toBe(12);
    for (const port of ports) expect(RESERVED_PORTS.has(port)).toBe(false);
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject).listen(ports[0], '127.0.0.1', () => server.close(() => resolve()));
    });
  });
});
