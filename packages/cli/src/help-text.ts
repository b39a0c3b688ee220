/** What `latchkey help` prints. */
export const HELP_TEXT = `latchkey: operator CLI for a Latchkey region node

Usage: latchkey <command> [options]

Keys
  keys create [--spec S] [--usage U] [--description D] [--tag k=v]... [--region r]...
  keys list
  keys describe <keyId>
  rotate <keyId>

Data
  encrypt <keyId> [--plaintext TEXT | --in FILE] [--context k=v]...   prints base64 ciphertext
  decrypt [--ciphertext B64 | --in FILE] [--context k=v]...           prints the plaintext bytes
  sign <keyId> --algorithm A (--message TEXT | --in FILE) [--digest]   prints base64 signature
  verify <keyId> --algorithm A --signature B64 (--message TEXT | --in FILE) [--digest]
                                                          prints valid (exit 0) or invalid (exit 1)
  Without --plaintext/--ciphertext/--in, encrypt and decrypt read stdin (also --in -).
  decrypt reads base64 text, as encrypt prints it. --digest hashes the message locally and sends
  only the digest (RSA and ECDSA algorithms), so it may be larger than 4 KiB.

Aliases and tokens
  aliases list [--key-id K] | aliases create <alias/name> <keyId>
  aliases update <alias/name> <keyId> | aliases delete <alias/name>
  tokens create <principal> [--admin] | tokens list | tokens revoke <tokenId>

Options
  --url URL          node to talk to (LATCHKEY_URL; default http://127.0.0.1:8080)
  --token T          bearer token (LATCHKEY_TOKEN)
  --token-file F     file holding the token (LATCHKEY_TOKEN_FILE; default ./.data/admin.token if present)
  --json             print the whole answer as JSON (the default for keys, aliases, tokens, rotate)
  -h, --help         this text

Exit status: 0 success, 1 the service refused or failed (or the signature is invalid), 2 usage error.
Errors go to stderr as "error <code>: <message>".
`;
