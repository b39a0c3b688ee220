// Proves the simulated stream behaves like the JetStream features the design relies on: one global
// sequence, compare-and-set on the last subject sequence (0 = subject empty), msg-id
// de-duplication that answers before the expectation is checked and expires after its window,
// bounded history per subject, and no service without quorum.
import type { ChangeEnvelope } from '@latchkey/core';
import { describe, expect, it } from 'vitest';
import { SimStream, type PublishRequest } from './sim-stream.ts';

const envelope = { formatVersion: 1, changeId: 'x' } as unknown as ChangeEnvelope;
const request = (subject: string, msgId: string, expectedLastSubjectSeq: number): PublishRequest => ({ subject, envelope, msgId, expectedLastSubjectSeq });
const newStream = () => new SimStream({ maxMsgsPerSubject: 2, duplicateWindowMs: 1_000 });

describe('SimStream', () => {
  it('assigns one global sequence across subjects and tracks the last sequence per subject', () => {
    const stream = newStream();
    expect(stream.publish(request('s.a', 'm1', 0), 0)).toEqual({ kind: 'ack', seq: 1, duplicate: false });
    expect(stream.publish(request('s.b', 'm2', 0), 0)).toEqual({ kind: 'ack', seq: 2, duplicate: false });
    expect(stream.publish(request('s.a', 'm3', 1), 0)).toEqual({ kind: 'ack', seq: 3, duplicate: false });
    expect([stream.lastSubjectSeq('s.a'), stream.lastSubjectSeq('s.b'), stream.lastSeq]).toEqual([3, 2, 3]);
  });

  it('refuses a publish whose expected last subject sequence is stale, and one that expects an empty subject', () => {
    const stream = newStream();
    stream.publish(request('s.a', 'm1', 0), 0);
    expect(stream.publish(request('s.a', 'm2', 0), 0)).toEqual({ kind: 'conflict', lastSubjectSeq: 1 });
    expect(stream.publish(request('s.a', 'm3', 7), 0)).toEqual({ kind: 'conflict', lastSubjectSeq: 1 });
    expect(stream.lastSeq).toBe(1);
  });

  it('answers a repeated msg-id with the original sequence before checking the expectation, until the window ends', () => {
    const stream = newStream();
    stream.publish(request('s.a', 'm1', 0), 0);
    stream.publish(request('s.a', 'm2', 1), 10);
    expect(stream.publish(request('s.a', 'm1', 0), 999)).toEqual({ kind: 'ack', seq: 1, duplicate: true });
    expect(stream.publish(request('s.a', 'm1', 0), 1_000)).toEqual({ kind: 'conflict', lastSubjectSeq: 2 });
  });

  it('keeps at most max_msgs_per_subject messages per subject, but remembers every message for the checkers', () => {
    const stream = newStream();
    for (let i = 0; i < 4; i++) stream.publish(request('s.a', `m${i}`, i), 0);
    expect(stream.subjectMessages('s.a').map((m) => m.seq)).toEqual([3, 4]);
    expect(stream.messageAt(1)).toBeNull();
    expect(stream.firstSeq).toBe(3);
    expect(stream.messagesAfter(0, 10).map((m) => m.seq)).toEqual([3, 4]);
    expect(stream.everStored()).toHaveLength(4);
  });

  it('serves nothing without quorum', () => {
    const stream = newStream();
    stream.setAvailable(false);
    expect(stream.publish(request('s.a', 'm1', 0), 0)).toEqual({ kind: 'unavailable' });
    expect(stream.lastSeq).toBe(0);
  });
});
