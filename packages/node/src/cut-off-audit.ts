/**
 * After a region was cut off from the stream's quorum, checks what it applied around that time
 * against the stream: nats-server 2.9.10 was seen handing a cut-off region changes the stream never
 * kept. Such a change takes a stream sequence in the region's cursor, and the stream may later give
 * that sequence to another change, which the region's consumer then never delivers (it starts after
 * the cursor). Confirmed versions keep such changes from ever being used for output; this audit
 * makes the region's state the stream's again, for every kind of item.
 *
 * The region remembers the sequence, subject and change id of the last messages it applied. From a
 * few seconds before the stream stopped answering with a quorum until it answered again (a gap of
 * more than 3.5 s between two quorum answers, recorded by the replicator), and for 10 s after it,
 * those messages are suspects. Once the stream answers again, each suspect is compared with the stream's
 * message at the same sequence (read with a quorum); where they differ, or the stream has not got
 * that far yet, both subjects are repaired from the stream's last change on them
 * (VersionConfirmer.repairSubject). Suspects beyond the stream's end are checked again every second
 * until the stream has passed them (the sequence may still be given to another change), for at most
 * an hour.
 */
import type { ChangeEnvelope } from '@latchkey/core';
import type { StreamMessage } from '@latchkey/replication';
import type { Logger } from 'pino';

export interface CutOffAuditDeps {
  /** Periods without a quorum answer from the stream that ended since the last call. */
  readonly takeCutWindows: () => { fromMs: number; toMs: number }[];
  readonly readSeqs: (seqs: readonly number[]) => Promise<{ messages: Map<number, StreamMessage | null>; lastSeq: number } | null>;
  /** Decodes and verifies a stream message (throws when it is not a valid signed change). */
  readonly decode: (data: Uint8Array) => ChangeEnvelope;
  /** Repairs one subject from the stream's quorum; false when no quorum could be shown. */
  readonly repairSubject: (subject: string) => Promise<boolean>;
  readonly log: Logger;
}

interface Applied {
  readonly seq: number;
  readonly subject: string;
  /** The applied change's id (REPAIRED once repaired while beyond the stream's end). */
  readonly changeId: string;
  readonly atMs: number;
}

/** Messages applied this long before the stream's last quorum answer of a cut are suspects too. */
const LEAD_MS = 6_000;
/** ... and this long after it ended. */
const TRAIL_MS = 10_000;
const REMEMBERED = 20_000;
const GROUP = 64;
/** Suspects beyond the stream's end are given up after this long. */
const GIVE_UP_MS = 60 * 60_000;

/** The change id of a suspect already repaired: whatever the stream later puts at its sequence differs. */
const REPAIRED = '\u0000repaired';

export class CutOffAudit {
  readonly #deps: CutOffAuditDeps;
  /** The last REMEMBERED applied changes, as a ring (on the apply path: no array shifting). */
  readonly #recent: (Applied | undefined)[] = new Array<Applied | undefined>(REMEMBERED);
  #noted = 0;
  /** Applied messages to compare with the stream once it answers again. */
  #suspects: Applied[] = [];
  #auditing = false;
  /** Cuts that ended less than TRAIL_MS ago. */
  #cuts: { fromMs: number; toMs: number }[] = [];
  #audits = 0;

  constructor(deps: CutOffAuditDeps) {
    this.#deps = deps;
  }

  /** Audits that found and repaired something since start. */
  get audits(): number {
    return this.#audits;
  }

  /** A change the applier took in (applied, skipped or rejected), at its stream sequence. */
  note(seq: number, subject: string, changeId: string): void {
    this.#recent[this.#noted % REMEMBERED] = { seq, subject, changeId, atMs: Date.now() };
    this.#noted += 1;
  }

  /** Once a second. */
  async tick(): Promise<void> {
    if (this.#auditing) return;
    const now = Date.now();
    this.#cuts.push(...this.#deps.takeCutWindows());
    // A cut is audited once TRAIL_MS have passed since it ended: a server that led the stream when
    // it was cut off may still hand out what it never committed for a moment after the heal.
    for (const cut of this.#cuts.filter((w) => now >= w.toMs + TRAIL_MS)) {
      const known = new Set(this.#suspects.map((s) => s.seq));
      for (const m of this.#recent) {
        if (m !== undefined && m.atMs >= cut.fromMs - LEAD_MS && m.atMs <= cut.toMs + TRAIL_MS && !known.has(m.seq)) this.#suspects.push(m);
      }
    }
    this.#cuts = this.#cuts.filter((w) => now < w.toMs + TRAIL_MS);
    this.#suspects = this.#suspects.filter((s) => now - s.atMs < GIVE_UP_MS);
    if (this.#suspects.length === 0) return;
    this.#auditing = true;
    try {
      await this.#audit();
    } finally {
      this.#auditing = false;
    }
  }

  async #audit(): Promise<void> {
    const pending: Applied[] = [];
    const subjects = new Set<string>();
    for (let i = 0; i < this.#suspects.length; i += GROUP) {
      const group = this.#suspects.slice(i, i + GROUP);
      const read = await this.#deps.readSeqs(group.map((s) => s.seq));
      if (read === null) return; // no quorum now: the same suspects next time
      for (const suspect of group) {
        const stream = read.messages.get(suspect.seq) ?? null;
        if (suspect.seq > read.lastSeq) {
          // Not on the stream (yet): what was applied is not the stream's (repaired once), and the
          // stream may still give this sequence to another change (compared again then).
          if (suspect.changeId !== REPAIRED) subjects.add(suspect.subject);
          pending.push(suspect);
        } else if (stream !== null && (stream.subject !== suspect.subject || ![null, suspect.changeId].includes(this.#changeIdOf(stream)))) {
          subjects.add(suspect.subject);
          subjects.add(stream.subject);
        }
        // null at or below the stream's end: purged by the per-subject limit, newer changes exist.
      }
    }
    for (const subject of subjects) {
      if (!(await this.#deps.repairSubject(subject))) return;
    }
    if (subjects.size > 0) {
      this.#audits += 1;
      this.#deps.log.warn({ subjects: [...subjects].slice(0, 20), count: subjects.size, waiting: pending.length }, 'audited what this region applied while cut off: repaired items the stream holds otherwise');
    } else {
      this.#deps.log.info({ checked: this.#suspects.length, waiting: pending.length }, 'audited what this region applied while cut off: it is what the stream holds');
    }
    // Suspects beyond the stream's end are compared again once it has passed them; a repaired one
    // needs no second repair unless the stream then gives its sequence to another change.
    this.#suspects = pending.map((s) => ({ ...s, changeId: REPAIRED }));
  }

  /** The stream message's change id; an unverifiable message counts as what was applied (it was skipped here too). */
  #changeIdOf(message: StreamMessage): string | null {
    try {
      return this.#deps.decode(message.data).changeId;
    } catch {
      return null;
    }
  }
}
