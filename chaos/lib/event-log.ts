/**
 * Timestamped lines of what a scenario or drill did. Each line is printed as it happens (an
 * operator watching a game day wants to see it live) and kept, so that a drill report can put the
 * same lines on its timeline.
 */

export interface LoggedEvent {
  /** Wall-clock milliseconds (Date.now()). */
  readonly atMs: number;
  readonly source: string;
  readonly text: string;
}

export type Log = (text: string) => void;

export class EventLog {
  readonly events: LoggedEvent[] = [];
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.#write = write;
  }

  /** A log function bound to a source name, e.g. "chaos region-partition". */
  for(source: string): Log {
    return (text) => {
      const event = { atMs: Date.now(), source, text };
      this.events.push(event);
      this.#write(formatEvent(event));
    };
  }
}

export const formatEvent = (event: LoggedEvent): string => `${new Date(event.atMs).toISOString()} ${event.source}: ${event.text}`;
