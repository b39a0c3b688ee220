/** CliIo over the real process: stdout, stderr, stdin and the file system. */
import { access, readFile } from 'node:fs/promises';
import type { CliIo } from './cli-io.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

export function nodeIo(): CliIo {
  return {
    writeOut: (data) => void process.stdout.write(data),
    writeErr: (text) => void process.stderr.write(text),
    readStdin: () => readAll(process.stdin),
    readFile: async (path) => new Uint8Array(await readFile(path)),
    fileExists: (path) => access(path).then(() => true, () => false),
  };
}
