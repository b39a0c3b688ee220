/** The bytes an InputSource names: inline text as UTF-8, a file, or stdin. */
import { UsageError } from './usage-error.ts';
import type { CliIo } from './cli-io.ts';
import type { InputSource } from './command.ts';

export async function readInput(io: CliIo, source: InputSource): Promise<Uint8Array> {
  switch (source.kind) {
    case 'text':
      return new TextEncoder().encode(source.text);
    case 'stdin':
      return io.readStdin();
    case 'file':
      try {
        return await io.readFile(source.path);
      } catch (error) {
        const reason = (error as { code?: unknown }).code ?? (error instanceof Error ? error.message : 'unreadable');
        throw new UsageError(`cannot read ${source.path}: ${String(reason)}`, { cause: error });
      }
  }
}
