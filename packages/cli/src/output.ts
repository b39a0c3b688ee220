/** How answers are printed: JSON with bytes as base64, or one plain value per line. */
import { toBase64 } from '@latchkey/client';
import type { CliIo } from './cli-io.ts';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (field instanceof Uint8Array ? toBase64(field) : field), 2);
}

export function printJson(io: CliIo, value: unknown): void {
  io.writeOut(`${toJson(value)}\n`);
}

export function printLine(io: CliIo, line: string): void {
  io.writeOut(`${line}\n`);
}
