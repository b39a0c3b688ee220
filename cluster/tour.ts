/**
 * `pnpm cluster:tour [--base ./.cluster]`: a short walk across the regions of a running local
 * cluster, printing each step: a key made in one region is used in the others, a key pinned to two
 * regions is refused in the third by policy, a rotation replicates, and the regions agree.
 */
import { parseArgs } from 'node:util';
import { readManifest, type ManifestRegion } from './manifest.ts';

const { values } = parseArgs({ options: { base: { type: 'string', default: './.cluster' } } });

async function main(): Promise<void> {
  const manifest = await readManifest(values.base as string);
  const token = manifest.adminToken;
  const [first, second, third] = manifest.regions as ManifestRegion[];
  if (!first || !second) throw new TypeError('the tour needs at least two regions');
  const call = async (region: ManifestRegion, method: string, path: string, body?: unknown) => {
    const response = await fetch(region.url + path, {
      method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as any;
  };
  const until = async (what: string, probe: () => Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new TypeError(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const say = (text: string) => console.log(`tour: ${text}`);

  const key = (await call(first, 'POST', '/v1/keys', { description: 'tour key' })).keyMetadata;
  say(`created key ${key.keyId} in ${first.name}`);
  // A region uses a key for new output once it has seen the stream's quorum holding its version
  // (KeyUnavailableException for the few milliseconds before): retry until then.
  let enc: any;
  await until(`the key usable in ${second.name}`, async () => {
    enc = await call(second, 'POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: Buffer.from('hello from the tour').toString('base64'), encryptionContext: { tour: 'yes' } });
    return enc.ciphertext !== undefined;
  });
  say(`encrypted in ${second.name} with version ${enc.keyVersion}: ${enc.ciphertext.slice(0, 32)}...`);
  for (const region of manifest.regions) {
    const dec = await call(region, 'POST', '/v1/decrypt', { ciphertext: enc.ciphertext, encryptionContext: { tour: 'yes' } });
    say(`decrypted in ${region.name}: ${Buffer.from(dec.plaintext, 'base64').toString()}`);
  }
  if (third) {
    const pinned = (await call(first, 'POST', '/v1/keys', { description: 'resident', regions: [first.name, second.name] })).keyMetadata;
    await until(`the pinned key in ${third.name}`, async () => (await call(third, 'GET', `/v1/keys/${pinned.keyId}`)).keyMetadata !== undefined);
    const refused = await call(third, 'POST', `/v1/keys/${pinned.keyId}/encrypt`, { plaintext: 'aGk=' });
    say(`key pinned to [${first.name}, ${second.name}] in ${third.name}: ${refused.code}: ${refused.message}`);
  }
  const rotated = (await call(second, 'POST', `/v1/keys/${key.keyId}/rotate`, {})).keyMetadata;
  say(`rotated in ${second.name}: current version ${rotated.currentVersion}`);
  await until('every region to agree', async () => {
    const digests = await Promise.all(manifest.regions.map((r) => call(r, 'GET', '/v1/cluster/digest')));
    return new Set(digests.map((d) => d.digest)).size === 1 && digests.every((d) => d.unconfirmedKeys === 0);
  });
  for (const region of manifest.regions) {
    const status = await call(region, 'GET', '/v1/cluster/status');
    say(`${region.name}: applied sequence ${status.appliedSeq}, pending ${status.pending}, lag ${status.lagSeconds} s`);
  }
  say('every region holds the same state (equal digests). Next: pnpm cluster:status, pnpm cluster:down');
}

main().catch((error) => {
  console.error(`tour: ${(error as Error).message}`);
  process.exitCode = 1;
});
