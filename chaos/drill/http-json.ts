/**
 * Plain HTTP for the drill's observer side (status samples, digests, checks after heal). It is
 * deliberately not the SDK: the SDK is what the drill puts under test, and the observer must ask
 * one region exactly, never be failed over somewhere else. Same hard time-outs as cluster:status.
 */
import { probe } from '../../cluster/http-probe.ts';

export interface JsonAnswer {
  /** 0 when there was no answer in time. */
  readonly status: number;
  readonly body: unknown;
}

export async function requestJson(method: 'GET' | 'POST', url: string, token: string, body?: unknown, timeoutMs = 2000): Promise<JsonAnswer> {
  const answer = await probe(url, { method, token, body, timeoutMs });
  return { status: answer.status, body: answer.body };
}

export const getJson = (url: string, token: string, timeoutMs?: number): Promise<JsonAnswer> => requestJson('GET', url, token, undefined, timeoutMs);
