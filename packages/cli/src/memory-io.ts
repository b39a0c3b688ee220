/** CliIo in memory, for tests: scripted stdin and files, captured stdout and stderr. */
import type { CliIo } from './cli-io.ts';

export interface MemoryIo extends CliIo {
  /** Everything written to stdout, as bytes (decrypt writes raw plaintext). */
  stdoutBytes(): Uint8Array;
  stdout(): string;
  stderr(): string;
}

function missing(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

export function memoryIo(setup: { stdin?: string | Uint8Array; files?: Readonly<Record<string, string | Uint8Array>> } = {}): MemoryIo {
  const encoder = new TextEncoder();
  const bytes = (value: string | Uint8Array) => (typeof value === 'string' ? encoder.encode(value) : value);
  const out: Uint8Array[] = [];
  let err = '';
  const files = setup.files ?? {};
  return {
    writeOut: (data) => void out.push(bytes(data)),
    writeErr: (text) => void (err += text),
    readStdin: async () => bytes(setup.stdin ?? ''),
    readFile: async (path) => {
      const content = files[path];
      if (content === undefined) throw missing(path);
      return bytes(content);
    },
    fileExists: async (path) => Object.hasOwn(files, path),
    stdoutBytes: () => new Uint8Array(Buffer.concat(out)),
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => err,
  };
}
