// Proves the command-line grammar on its own, with no I/O: every command parses to the Command the
// executor expects, global options may stand anywhere, and each kind of mistake is a UsageError.
import { describe, expect, it } from 'vitest';
import { parseInvocation } from './parse-command.ts';
import { UsageError } from './usage-error.ts';

function command(...argv: string[]) {
  return parseInvocation(argv).command;
}

function usageError(...argv: string[]): string {
  try {
    parseInvocation(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new TypeError(`expected a usage error for: ${argv.join(' ')}`);
}

describe('parseInvocation', () => {
  it('parses keys create with repeated tags and regions', () => {
    expect(command('keys', 'create', '--spec', 'RSA_2048', '--usage', 'SIGN_VERIFY', '--description', 'ci signing', '--tag', 'team=build', '--tag', 'env=a=b', '--region', 'eu', '--region', 'us')).toEqual({
      kind: 'keys-create', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', description: 'ci signing', tags: { team: 'build', env: 'a=b' }, regions: ['eu', 'us'],
    });
    expect(command('keys', 'create')).toEqual({ kind: 'keys-create', keySpec: undefined, keyUsage: undefined, description: undefined, tags: undefined, regions: undefined });
  });

  it('parses the key, alias and token commands', () => {
    expect(command('keys', 'list')).toEqual({ kind: 'keys-list' });
    expect(command('keys', 'describe', 'alias/x')).toEqual({ kind: 'keys-describe', keyId: 'alias/x' });
    expect(command('rotate', 'k1')).toEqual({ kind: 'rotate', keyId: 'k1' });
    expect(command('aliases', 'list')).toEqual({ kind: 'aliases-list', keyId: undefined });
    expect(command('aliases', 'list', '--key-id', 'k1')).toEqual({ kind: 'aliases-list', keyId: 'k1' });
    expect(command('aliases', 'create', 'alias/a', 'k1')).toEqual({ kind: 'aliases-create', aliasName: 'alias/a', keyId: 'k1' });
    expect(command('aliases', 'update', 'alias/a', 'k2')).toEqual({ kind: 'aliases-update', aliasName: 'alias/a', keyId: 'k2' });
    expect(command('aliases', 'delete', 'alias/a')).toEqual({ kind: 'aliases-delete', aliasName: 'alias/a' });
    expect(command('tokens', 'create', 'ci')).toEqual({ kind: 'tokens-create', principal: 'ci', admin: false });
    expect(command('tokens', 'create', 'ops', '--admin')).toEqual({ kind: 'tokens-create', principal: 'ops', admin: true });
    expect(command('tokens', 'list')).toEqual({ kind: 'tokens-list' });
    expect(command('tokens', 'revoke', 't1')).toEqual({ kind: 'tokens-revoke', tokenId: 't1' });
  });

  it('parses encrypt and decrypt inputs: inline, file, stdin', () => {
    expect(command('encrypt', 'k', '--plaintext', 'hi', '--context', 'a=1', '--context', 'b=')).toEqual({
      kind: 'encrypt', keyId: 'k', input: { kind: 'text', text: 'hi' }, encryptionContext: { a: '1', b: '' },
    });
    expect(command('encrypt', 'k', '--in', 'f.bin')).toMatchObject({ input: { kind: 'file', path: 'f.bin' }, encryptionContext: undefined });
    expect(command('encrypt', 'k')).toMatchObject({ input: { kind: 'stdin' } });
    expect(command('encrypt', 'k', '--in', '-')).toMatchObject({ input: { kind: 'stdin' } });
    expect(command('decrypt', '--ciphertext', 'AAAA')).toEqual({ kind: 'decrypt', input: { kind: 'text', text: 'AAAA' }, encryptionContext: undefined });
    expect(command('decrypt')).toMatchObject({ input: { kind: 'stdin' } });
  });

  it('parses sign and verify, mapping --digest to the hash the algorithm names', () => {
    expect(command('sign', 'k', '--algorithm', 'ECDSA_SHA_384', '--message', 'm')).toEqual({
      kind: 'sign', keyId: 'k', signingAlgorithm: 'ECDSA_SHA_384', input: { kind: 'text', text: 'm' }, digest: null,
    });
    expect(command('sign', 'k', '--algorithm', 'RSASSA_PSS_SHA_512', '--in', 'a.tgz', '--digest')).toMatchObject({ digest: 'sha512', input: { kind: 'file', path: 'a.tgz' } });
    expect(command('verify', 'k', '--algorithm', 'ED25519_SHA_512', '--message', 'm', '--signature', 'AQID')).toEqual({
      kind: 'verify', keyId: 'k', signingAlgorithm: 'ED25519_SHA_512', input: { kind: 'text', text: 'm' }, digest: null, signature: Uint8Array.of(1, 2, 3),
    });
  });

  it('accepts global options before, between and after the command words', () => {
    const invocation = parseInvocation(['--url', 'http://n:1', 'keys', '--token', 't', 'describe', 'k', '--json']);
    expect(invocation).toEqual({ command: { kind: 'keys-describe', keyId: 'k' }, connection: { url: 'http://n:1', token: 't', tokenFile: undefined }, json: true });
    expect(parseInvocation(['tokens', 'list', '--token-file', 'tf']).connection).toEqual({ url: undefined, token: undefined, tokenFile: 'tf' });
  });

  it('treats help, --help and -h as help, wherever they are', () => {
    for (const argv of [['help'], ['--help'], ['-h'], ['keys', 'create', '--help'], ['encrypt', '-h']]) {
      expect(parseInvocation(argv).command).toEqual({ kind: 'help' });
    }
  });

  it('refuses unknown commands, options and wrong argument counts', () => {
    expect(usageError()).toMatch(/no command/);
    expect(usageError('frobnicate')).toMatch(/unknown command: frobnicate/);
    expect(usageError('keys')).toMatch(/keys needs a subcommand/);
    expect(usageError('keys', 'destroy', 'k')).toMatch(/unknown command: keys destroy/);
    expect(usageError('keys', 'list', '--plaintext', 'x')).toMatch(/--plaintext/);
    expect(usageError('keys', 'describe')).toMatch(/usage: latchkey keys describe <keyId> \(got 0 arguments\)/);
    expect(usageError('keys', 'describe', 'a', 'b')).toMatch(/got 2 arguments/);
    expect(usageError('aliases', 'create', 'alias/a')).toMatch(/<aliasName> <keyId>/);
    expect(usageError('encrypt', 'k', '--plaintext')).toMatch(/--plaintext/);
  });

  it('refuses conflicting or missing inputs and malformed values', () => {
    expect(usageError('encrypt', 'k', '--plaintext', 'a', '--in', 'f')).toMatch(/not both/);
    expect(usageError('sign', 'k', '--algorithm', 'ECDSA_SHA_256')).toMatch(/give --message or --in/);
    expect(usageError('sign', 'k', '--message', 'm')).toMatch(/--algorithm is required/);
    expect(usageError('sign', 'k', '--algorithm', 'ML_DSA_SHAKE_256', '--message', 'm', '--digest')).toMatch(/--digest needs an RSA or ECDSA/);
    expect(usageError('verify', 'k', '--algorithm', 'ECDSA_SHA_256', '--message', 'm')).toMatch(/--signature is required/);
    expect(usageError('verify', 'k', '--algorithm', 'ECDSA_SHA_256', '--message', 'm', '--signature', 'not base64')).toMatch(/base64/);
    expect(usageError('keys', 'create', '--tag', 'novalue')).toMatch(/key=value/);
    expect(usageError('keys', 'create', '--tag', '=v')).toMatch(/key=value/);
    expect(usageError('encrypt', 'k', '--plaintext', 'x', '--context', 'a=1', '--context', 'a=2')).toMatch(/twice/);
  });
});
