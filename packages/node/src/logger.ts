/**
 * The one pino root logger of a node process. Children bind { region, component }; redaction
 * removes anything that could hold plaintext, key material or credentials before it is written.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'plaintext',
  '*.plaintext',
  'secret',
  '*.secret',
  'body',
  'req.body',
];

export function createRootLogger(options: { level: string; region: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { region: options.region },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
