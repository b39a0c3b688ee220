import { describe, expect, it } from 'vitest';
import { nodeBaseEnv, nodeEnv, natsUrlsFor } from './node-env.ts';

const natsUrls = [
  { region: 'eu', url: 'nats://127.0.0.1:1001' },
  { region: 'us', url: 'nats://127.0.0.1:1002' },
  { region: 'ap', url: 'nats://127.0.0.1:1003' },
];

describe('region node environment', () => {
  it('lists the region own NATS server first, then the others in order', () => {
    expect(natsUrlsFor('us', natsUrls)).toBe('nats://127.0.0.1:1002,nats://127.0.0.1:1001,nats://127.0.0.1:1003');
    expect(natsUrlsFor('eu', natsUrls)).toBe('nats://127.0.0.1:1001,nats://127.0.0.1:1002,nats://127.0.0.1:1003');
  });

  it('sets exactly the variables the node reads in replicated mode', () => {
    expect(nodeEnv({ region: 'ap', port: 4100, dataDir: '/b/nodes/ap', natsUrls, natsPassword: 'pw', clusterFile: '/b/cluster.json' })).toEqual({
      LATCHKEY_REGION: 'ap',
      LATCHKEY_PORT: '4100',
      LATCHKEY_HOST: '127.0.0.1',
      LATCHKEY_DATA_DIR: '/b/nodes/ap',
      LATCHKEY_NATS_URLS: 'nats://127.0.0.1:1003,nats://127.0.0.1:1001,nats://127.0.0.1:1002',
      LATCHKEY_NATS_USER: 'latchkey',
      LATCHKEY_NATS_PASSWORD: 'pw',
      LATCHKEY_CLUSTER_FILE: '/b/cluster.json',
      LATCHKEY_LIFECYCLE_INTERVAL_MS: '60000',
    });
  });

  it('drops LATCHKEY_* settings of the operator shell (a shared root key!) but keeps the log level and the rest', () => {
    const env = nodeBaseEnv({ PATH: '/bin', HOME: '/root', LATCHKEY_ROOT_KEY: 'secret', LATCHKEY_PORT: '8080', LATCHKEY_LOG_LEVEL: 'debug' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/root', LATCHKEY_LOG_LEVEL: 'debug' });
  });
});
