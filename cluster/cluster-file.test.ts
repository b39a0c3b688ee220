import { generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClusterFile, parseInitOutput, readClusterFileIfAny, streamReplicasFor, writeClusterFile } from './cluster-file.ts';
import { withTempDir } from './test-support.ts';

const spki = (type: 'x25519' | 'ed25519'): string => generateKeyPairSync(type as 'x25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

describe('node init output', () => {
  const transport = spki('x25519');
  const signing = spki('ed25519');

  it('takes the last JSON line and checks both keys', () => {
    const stdout = `some warning\n${JSON.stringify({ region: 'eu', transportPublicKey: transport, signingPublicKey: signing })}\n`;
    expect(parseInitOutput('eu', stdout)).toEqual({ region: 'eu', transportPublicKey: transport, signingPublicKey: signing });
  });

  it('refuses keys of the wrong type, swapped keys, garbage and the wrong region', () => {
    const line = (o: object) => `${JSON.stringify(o)}\n`;
    expect(() => parseInitOutput('eu', line({ region: 'eu', transportPublicKey: signing, signingPublicKey: transport }))).toThrow(/transportPublicKey is a ed25519 key, expected x25519/);
    expect(() => parseInitOutput('eu', line({ region: 'eu', transportPublicKey: transport, signingPublicKey: 'AAAA' }))).toThrow(/signingPublicKey is not a base64 DER SPKI/);
    expect(() => parseInitOutput('eu', line({ region: 'eu', transportPublicKey: transport }))).toThrow(/signingPublicKey is missing/);
    expect(() => parseInitOutput('eu', line({ region: 'us', transportPublicKey: transport, signingPublicKey: signing }))).toThrow(/answered for region "us"/);
    expect(() => parseInitOutput('eu', 'serving on http://x\n')).toThrow(/printed no JSON line/);
    expect(() => parseInitOutput('eu', '{not json\n')).toThrow(/invalid JSON/);
  });
});

describe('cluster.json', () => {
  it('pins every region in order, with min(3, regions) stream replicas, written 0644', async () => {
    expect([1, 2, 3, 4, 5].map(streamReplicasFor)).toEqual([1, 2, 3, 3, 3]);
    const ids = ['eu', 'us', 'ap', 'sa'].map((region) => ({ region, transportPublicKey: `t-${region}`, signingPublicKey: `s-${region}` }));
    const file = buildClusterFile(ids);
    expect(Object.keys(file.regions)).toEqual(['eu', 'us', 'ap', 'sa']);
    expect(file.regions.us).toEqual({ transportPublicKey: 't-us', signingPublicKey: 's-us' });
    expect(file.streamReplicas).toBe(3);
    await withTempDir(async (dir) => {
      const path = join(dir, 'cluster.json');
      expect(await readClusterFileIfAny(path)).toBeNull();
      await writeClusterFile(path, file);
      expect((await stat(path)).mode & 0o777).toBe(0o644);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(file);
      expect(await readClusterFileIfAny(path)).toEqual(file);
    });
  });
});
