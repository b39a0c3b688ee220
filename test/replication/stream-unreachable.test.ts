// Proves what a region says and does when it cannot reach the stream at all (every NATS server
// stopped): its status turns `streamReachable: false` with a growing lag instead of claiming to be
// caught up; its data plane keeps serving the keys it holds; a key it has never heard of answers the
// retryable KeyUnavailableException (another region may know it) rather than a final NotFound, for
// data-plane calls and control-plane writes alike; and
// once the servers are back it is current again and an unknown key is plainly NotFound.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { b64, eventually, useTestCluster } from './harness.ts';

const c = useTestCluster();

const status = async (region: string) => (await c.at(region).call('GET', '/v1/cluster/status', undefined, c.token)).body;
const encrypt = (region: string, keyId: string) => c.at(region).call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('still here') }, c.token);

describe('a region cut off from the stream', () => {
  it('says so, keeps its data plane, and answers unknown keys as not replicated yet', async () => {
    const created = await c.at('eu').call('POST', '/v1/keys', { description: 'held everywhere' }, c.token);
    expect(created.status).toBe(201);
    const keyId = created.body.keyMetadata.keyId as string;
    await c.waitConverged(20_000);
    for (const region of c.regions) {
      await eventually(async () => ((await status(region)).streamReachable === true ? true : undefined), 10_000, `${region} to reach the stream`);
      expect(await status(region)).toMatchObject({ streamReachable: true, pending: 0, lagSeconds: 0 });
      expect((await encrypt(region, randomUUID())).body.code).toBe('NotFoundException');
    }

    for (const region of c.regions) await c.nats.kill(region);
    try {
      for (const region of c.regions) {
        const cut = await eventually(async () => {
          const s = await status(region);
          return s.streamReachable === false && s.lagSeconds >= 3 ? s : undefined;
        }, 20_000, `${region} to report the stream unreachable`);
        expect(cut).toMatchObject({ mode: 'replicated', appliedSeq: expect.any(Number) });
        expect((await encrypt(region, keyId)).status).toBe(200);
        const unknown = await encrypt(region, randomUUID());
        expect(unknown.status).toBe(503);
        expect(unknown.body.code).toBe('KeyUnavailableException');
        // A control-plane write on a key it does not know cannot be refused as NotFound either.
        const rotate = await c.at(region).call('POST', `/v1/keys/${randomUUID()}/rotate`, {}, c.token);
        expect(rotate.body.code, JSON.stringify(rotate.body)).toBe('KeyUnavailableException');
      }
    } finally {
      for (const region of c.regions) await c.nats.restart(region).catch(() => undefined);
    }
    await c.nats.waitReady(undefined, 30_000);
    for (const region of c.regions) {
      await eventually(async () => ((await status(region)).streamReachable === true ? true : undefined), 30_000, `${region} to reach the stream again`);
      await eventually(async () => ((await encrypt(region, randomUUID())).body.code === 'NotFoundException' ? true : undefined), 15_000, `${region} current again`);
    }
  }, 150_000);
});
