// Proves the SDK's failover against a real 3-region cluster (real nats-servers, real region nodes):
// when the home region's node is killed with SIGKILL under load, calls keep succeeding through
// another region and the caller sees no error at all; the client returns home once the node is back;
// a pinned key's calls never go to a region outside its policy, even with its first region down; and
// an idempotent create or rotate whose answer was lost is retried in another region and lands once,
// while a plain create with a lost answer is reported as indeterminate and not sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyClientError } from '@latchkey/client';
import { eventually, startTestCluster, type TestCluster } from '../replication/harness.ts';
import { clusterUrls, droppingProxy, nodeAsProcess, observedClient, type RestartableNode } from './cluster-client-support.ts';

const DATA_PLANE = ['Encrypt', 'Decrypt', 'GenerateDataKey'];
let c: TestCluster;
let eu: RestartableNode;

beforeAll(async () => {
  c = await startTestCluster();
  eu = await nodeAsProcess(c, 'eu');
}, 120_000);
afterAll(async () => {
  await eu?.kill();
  await c?.stop();
});

const urls = () => clusterUrls(c, { eu: eu.url });

/** Waits until every region reports the same state digest (the harness's own wait would ask the stopped in-process eu). */
async function converged(): Promise<void> {
  await eventually(async () => {
    const digests = await Promise.all(Object.values(urls()).map(async (url) => {
      const answer = await fetch(`${url}/v1/cluster/digest`, { headers: { authorization: `Bearer ${c.token}` } });
      return ((await answer.json()) as { digest?: string }).digest;
    }));
    return new Set(digests).size === 1 && digests[0] !== undefined ? true : undefined;
  }, 20_000, 'regions converged');
}

/** Waits until every region serves the key, so that failover is about regions, not replication lag. */
/** The key is known in each region, and each has confirmed its version with the stream's quorum (usable for output). */
async function replicated(keyId: string, regions: readonly string[]): Promise<void> {
  for (const region of regions) {
    const url = region === 'eu' ? eu.url : c.at(region).node.url;
    const headers = { authorization: `Bearer ${c.token}` };
    await eventually(async () => {
      const answer = await fetch(`${url}/v1/keys/${keyId}`, { headers });
      if (answer.status !== 200) return undefined;
      const status = await (await fetch(`${url}/v1/cluster/status`, { headers })).json() as { unconfirmedKeys: number };
      return status.unconfirmedKeys === 0 ? true : undefined;
    }, 20_000, `${keyId} in ${region}`);
  }
}

describe('failover when the home node dies', () => {
  it('keeps every call succeeding through another region, then returns home when the node is back', async () => {
    const { client, events, okRegions } = observedClient(urls(), { homeRegion: 'eu', token: c.token });
    const { keyMetadata } = await client.createKey({ idempotencyKey: 'failover-key', description: 'failover' });
    await replicated(keyMetadata.keyId, c.regions);

    const errors: unknown[] = [];
    let completed = 0;
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        try {
          const plaintext = Buffer.from(`worker ${w} message ${i}`);
          const { ciphertext } = await client.encrypt({ keyId: keyMetadata.keyId, plaintext });
          expect(Buffer.from((await client.decrypt({ ciphertext })).plaintext).equals(plaintext)).toBe(true);
          completed += 1;
        } catch (error) {
          errors.push(error);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const beforeKill = completed;
    const killedAt = performance.now();
    await eu.kill();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const afterKill = completed - beforeKill;

    const firstElsewhere = events.find(({ atMs, event }) => atMs > killedAt && event.type === 'call' && event.outcome === 'ok' && event.region !== 'eu');
    expect(errors).toEqual([]);
    expect(beforeKill).toBeGreaterThan(10);
    expect(afterKill).toBeGreaterThan(10);
    expect(firstElsewhere).toBeDefined();
    expect((firstElsewhere?.atMs ?? Infinity) - killedAt).toBeLessThan(1_000);
    expect(client.regionHealth().eu).toBe(false);

    await eu.start();
    const homeAgain = await eventually(async () => {
      await client.encrypt({ keyId: keyMetadata.keyId, plaintext: Buffer.from('home?') });
      return okRegions(DATA_PLANE).at(-1) === 'eu' ? true : undefined;
    }, 20_000, 'calls back in the home region');
    running = false;
    await Promise.all(workers);
    expect(homeAgain).toBe(true);
    expect(errors).toEqual([]);
    expect(events.some(({ event }) => event.type === 'region-healthy' && event.region === 'eu' && event.via === 'probe')).toBe(true);
    client.close();
  }, 90_000);
});

describe('region pinning', () => {
  it('never sends a pinned key to a region outside its policy, not even when its first region is down', async () => {
    const { client, attempts, okRegions, events } = observedClient(urls(), { homeRegion: 'ap', token: c.token });
    const { keyMetadata } = await client.createKey({ regions: ['eu', 'us'], idempotencyKey: 'pinned-eu-us' });
    await replicated(keyMetadata.keyId, ['eu', 'us']);
    const roundTrip = async () => {
      const { ciphertext } = await client.encrypt({ keyId: keyMetadata.keyId, plaintext: Buffer.from('resident data') });
      await client.decrypt({ ciphertext });
    };
    for (let i = 0; i < 20; i++) await roundTrip();
    const notOk = events.filter(({ event: e }) => e.type !== 'call' || e.outcome !== 'ok').map(({ event }) => event);
    expect(new Set(okRegions(DATA_PLANE)), JSON.stringify(notOk).slice(0, 2000)).toEqual(new Set(['eu']));

    await eu.kill();
    for (let i = 0; i < 20; i++) await roundTrip();
    await eu.start();
    expect(okRegions(DATA_PLANE).slice(-40)).toEqual(Array(40).fill('us'));
    expect(attempts(DATA_PLANE, 'ap')).toEqual([]);
    client.close();

    // A client that never saw the key learns its policy from the home region's refusal, once.
    const fresh = observedClient(urls(), { homeRegion: 'ap', token: c.token });
    for (let i = 0; i < 5; i++) await fresh.client.encrypt({ keyId: keyMetadata.keyId, plaintext: Buffer.from('x') });
    expect(fresh.attempts(['Encrypt'], 'ap').map(({ event }) => (event.type === 'call' ? event.code : null))).toEqual(['KeyNotAllowedInRegionException']);
    expect(fresh.client.knownKeyRegions(keyMetadata.keyId)).toEqual(['eu', 'us']);
    fresh.client.close();
  }, 90_000);
});

describe('idempotent writes across a failover', () => {
  it('creates exactly one key when the answer of an idempotent create is lost and it is retried in another region', async () => {
    const proxy = await droppingProxy(c.at('us').node.url);
    try {
      const { client, okRegions, attempts } = observedClient({ us: proxy.url, ap: c.at('ap').node.url }, { homeRegion: 'us', token: c.token });
      proxy.mode = 'drop-answer';
      const description = `idempotent-${Date.now()}`;
      const { keyMetadata } = await client.createKey({ idempotencyKey: `create-${description}`, description });
      expect(proxy.delivered).toEqual(['POST /v1/keys']);
      expect(attempts(['CreateKey'], 'us').map(({ event }) => (event.type === 'call' ? event.code : null))).toEqual(['NetworkError']);
      expect(okRegions(['CreateKey'])).toEqual(['ap']);
      proxy.mode = 'forward';
      await converged();
      const matching = [];
      for await (const { keyId } of client.keys()) {
        if ((await client.describeKey(keyId)).keyMetadata.description === description) matching.push(keyId);
      }
      expect(matching).toEqual([keyMetadata.keyId]);

      // The same for a rotation: one new version, however many times it was sent.
      const before = keyMetadata.currentVersion;
      proxy.mode = 'drop-answer';
      const rotated = await client.rotateKey(keyMetadata.keyId, { idempotencyKey: `rotate-${description}` });
      expect(rotated.keyMetadata.currentVersion).toBe(before + 1);
      proxy.mode = 'forward';
      await converged();
      expect((await client.describeKey(keyMetadata.keyId)).keyMetadata.currentVersion).toBe(before + 1);
      client.close();
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('reports a plain create whose answer was lost as indeterminate, sends it once, and it did happen', async () => {
    const proxy = await droppingProxy(c.at('us').node.url);
    try {
      const { client, attempts } = observedClient({ us: proxy.url, ap: c.at('ap').node.url }, { homeRegion: 'us', token: c.token });
      proxy.mode = 'drop-answer';
      const description = `plain-${Date.now()}`;
      const error: unknown = await client.createKey({ description }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(LatchkeyClientError);
      expect(error).toMatchObject({ indeterminate: true, attempts: 1 });
      expect(attempts(['CreateKey'], 'ap')).toEqual([]);
      proxy.mode = 'forward';
      await converged();
      let found = 0;
      for await (const { keyId } of client.keys()) if ((await client.describeKey(keyId)).keyMetadata.description === description) found += 1;
      expect(found).toBe(1);
      client.close();
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
