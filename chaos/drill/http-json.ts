/**
 * Plain HTTP for the drill's observer side (status samples, digests, checks after heal). It is
 * deliberately not the SDK: the SDK is what the drill puts under test, and the observer must ask
 * one region exactly, never be failed over somewhere else.
 */

export interface JsonAnswer {
  /** 0 when there was no answer in time. */
  readonly status: number;
  readonly body: unknown;
}

export async function requestJson(method: 'GET' | 'POST', url: string, token: string, body?: unknown, timeoutMs = 2000): Promise<JsonAnswer> {
  try {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the status says enough.
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 0, body: null };
  }
}

export const getJson = (url: string, token: string, timeoutMs?: number): Promise<JsonAnswer> => requestJson('GET', url, token, undefined, timeoutMs);
