/** What the operator asked for, parsed and checked: the contract between parsing and execution. */

/** Where bytes come from; files and stdin are read only when the command runs. */
export type InputSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' };

export type StringMap = Readonly<Record<string, string>>;

/** The hash a signing algorithm names, for signing a locally computed digest. */
export type DigestHash = 'sha256' | 'sha384' | 'sha512';

export type Command =
  | { readonly kind: 'help' }
  | {
    readonly kind: 'keys-create'; readonly keySpec?: string; readonly keyUsage?: string; readonly description?: string;
    readonly tags?: StringMap; readonly regions?: readonly string[];
  }
  | { readonly kind: 'keys-list' }
  | { readonly kind: 'keys-describe'; readonly keyId: string }
  | { readonly kind: 'encrypt'; readonly keyId: string; readonly input: InputSource; readonly encryptionContext?: StringMap }
  | { readonly kind: 'decrypt'; readonly input: InputSource; readonly encryptionContext?: StringMap }
  | {
    readonly kind: 'sign'; readonly keyId: string; readonly signingAlgorithm: string; readonly input: InputSource;
    readonly digest: DigestHash | null;
  }
  | {
    readonly kind: 'verify'; readonly keyId: string; readonly signingAlgorithm: string; readonly input: InputSource;
    readonly digest: DigestHash | null; readonly signature: Uint8Array;
  }
  | { readonly kind: 'rotate'; readonly keyId: string }
  | { readonly kind: 'aliases-list'; readonly keyId?: string }
  | { readonly kind: 'aliases-create'; readonly aliasName: string; readonly keyId: string }
  | { readonly kind: 'aliases-update'; readonly aliasName: string; readonly keyId: string }
  | { readonly kind: 'aliases-delete'; readonly aliasName: string }
  | { readonly kind: 'tokens-create'; readonly principal: string; readonly admin: boolean }
  | { readonly kind: 'tokens-list' }
  | { readonly kind: 'tokens-revoke'; readonly tokenId: string };

export type CommandKind = Command['kind'];

/** How to reach the node, as given on the command line; the environment fills the gaps later. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

export interface Invocation {
  readonly command: Command;
  readonly connection: ConnectionFlags;
  /** Print the whole answer as JSON, also for commands that print a plain value by default. */
  readonly json: boolean;
}
