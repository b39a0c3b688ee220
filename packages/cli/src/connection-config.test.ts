// Proves where the CLI finds its node and token: flags over environment over the default token
// file, URLs checked before use, and every way of having no usable token is a clear UsageError.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_FILE, DEFAULT_URL, resolveConnection } from './connection-config.ts';
import { memoryIo } from './memory-io.ts';
import { UsageError } from './usage-error.ts';

const files = { 'flag.token': 'from-flag-file\n', 'env.token': '  from-env-file  ', [DEFAULT_TOKEN_FILE]: 'from-default-file\n', 'empty.token': '\n' };

describe('resolveConnection', () => {
  it('prefers flags, then the environment, then the default token file', async () => {
    const io = memoryIo({ files });
    const env = { LATCHKEY_URL: 'http://env:1', LATCHKEY_TOKEN: 'from-env', LATCHKEY_TOKEN_FILE: 'env.token' };
    expect(await resolveConnection({ url: 'http://flag:1', token: 'from-flag' }, env, io)).toEqual({ url: 'http://flag:1', token: 'from-flag' });
    expect(await resolveConnection({ tokenFile: 'flag.token' }, env, io)).toEqual({ url: 'http://env:1', token: 'from-flag-file' });
    expect(await resolveConnection({}, env, io)).toEqual({ url: 'http://env:1', token: 'from-env' });
    expect(await resolveConnection({}, { LATCHKEY_TOKEN_FILE: 'env.token' }, io)).toEqual({ url: DEFAULT_URL, token: 'from-env-file' });
    expect(await resolveConnection({}, {}, io)).toEqual({ url: 'http://127.0.0.1:8080', token: 'from-default-file' });
  });

  it('treats empty variables as unset', async () => {
    expect(await resolveConnection({}, { LATCHKEY_URL: '', LATCHKEY_TOKEN: '' }, memoryIo({ files }))).toEqual({ url: DEFAULT_URL, token: 'from-default-file' });
  });

  it('fails with a UsageError that says what to do', async () => {
    const none = memoryIo();
    await expect(resolveConnection({}, {}, none)).rejects.toThrow(/no token: give --token/);
    await expect(resolveConnection({ token: 't', tokenFile: 'f' }, {}, none)).rejects.toThrow(/not both/);
    await expect(resolveConnection({ tokenFile: 'missing.token' }, {}, none)).rejects.toThrow(/cannot read the token file missing.token \(--token-file\): ENOENT/);
    await expect(resolveConnection({ tokenFile: 'empty.token' }, {}, memoryIo({ files }))).rejects.toThrow(/empty/);
    await expect(resolveConnection({ url: 'nope', token: 't' }, {}, none)).rejects.toThrow(/--url is not a URL/);
    await expect(resolveConnection({ token: 't' }, { LATCHKEY_URL: 'ftp://x' }, none)).rejects.toThrow(/LATCHKEY_URL must be an http/);
    await expect(resolveConnection({}, {}, none)).rejects.toBeInstanceOf(UsageError);
  });
});
