/**
 * Reading an answer body: it must be a JSON object, and binary fields must be strict base64. Other
 * fields pass through as the node sent them, so fields a newer node adds are not lost.
 */
import { fromBase64 } from './base64.ts';
import { invalidAnswer } from './error-mapping.ts';
import type { ApiRequest, ApiResponse, Requester } from './api-request.ts';
import type { LatchkeyClientError } from './client-error.ts';

export type Fields = Readonly<Record<string, unknown>>;

export class Answer {
  readonly fields: Fields;
  readonly #request: ApiRequest;
  readonly #response: ApiResponse;

  constructor(request: ApiRequest, response: ApiResponse) {
    this.#request = request;
    this.#response = response;
    this.fields = this.record(response.body, 'the body');
  }

  /** A nested value that must be an object (a batch result, say). */
  record(value: unknown, what: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.invalid(`${what} is not a JSON object`);
    return value as Fields;
  }

  list(value: unknown, what: string): readonly unknown[] {
    if (!Array.isArray(value)) throw this.invalid(`${what} is not a JSON array`);
    return value;
  }

  /** The bytes of a base64 field of `from` (the body unless given). */
  bytes(name: string, from: Fields = this.fields): Uint8Array {
    const value = from[name];
    const bytes = typeof value === 'string' ? fromBase64(value) : null;
    if (bytes === null) throw this.invalid(`field ${name} is not standard base64`);
    return bytes;
  }

  /** The body as the documented answer type, with its binary fields replaced by their bytes. */
  as<T>(decoded: Readonly<Record<string, unknown>> = {}): T {
    const value: unknown = { ...this.fields, ...decoded };
    return value as T;
  }

  invalid(problem: string): LatchkeyClientError {
    return invalidAnswer(this.#request, this.#response.status, this.#response.requestId, problem);
  }
}

/** Sends and checks that a JSON object came back. */
export async function call(requester: Requester, request: ApiRequest): Promise<Answer> {
  return new Answer(request, await requester(request));
}

/** Sends a request whose answer has no body (204). */
export async function callNoContent(requester: Requester, request: ApiRequest): Promise<void> {
  await requester(request);
}
