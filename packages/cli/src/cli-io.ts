/**
 * Everything the CLI does to the outside world besides HTTP, behind one interface, so that commands
 * run in tests against memory (memory-io.ts) and in production against the process (node-io.ts).
 */
export interface CliIo {
  writeOut(data: string | Uint8Array): void;
  writeErr(text: string): void;
  readStdin(): Promise<Uint8Array>;
  /** Rejects with the system error (ENOENT, EACCES, ...) when the file cannot be read. */
  readFile(path: string): Promise<Uint8Array>;
  fileExists(path: string): Promise<boolean>;
}

/** Environment variables, read only in the entry point and passed in. */
export type Env = Readonly<Record<string, string | undefined>>;
