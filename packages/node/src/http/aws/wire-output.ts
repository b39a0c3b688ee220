/**
 * Writing AWS JSON 1.1 answers: blobs as standard padded base64, dates as epoch seconds (JSON
 * numbers), errors as `{"__type": "<Name>", "message": "..."}`. Every error the caller can fix is
 * HTTP 400, as AWS answers them; only real server faults (internal, unavailable, indeterminate)
 * keep their 5xx status, so that SDKs retry exactly those.
 */
import { LatchkeyError } from '@latchkey/core';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export function blob(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function optionalEpochSeconds(ms: number | null): number | undefined {
  return ms === null ? undefined : ms / 1000;
}

export interface AwsErrorAnswer {
  readonly status: number;
  readonly body: { readonly __type: string; readonly message: string };
}

/** The catalogue's names are AWS's where AWS has the condition; the others are Latchkey's own. */
export function awsErrorAnswer(error: LatchkeyError): AwsErrorAnswer {
  return { status: error.kind === 'user' ? 400 : error.status, body: { __type: error.code, message: error.message } };
}
