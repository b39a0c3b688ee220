/**
 * AWS credential changes: how their secret is bound when wrapped, and what applying one does to a
 * region. A credential has exactly one secret; it is counted as "version 1" so that the decision
 * keeps the one shape every change kind shares: adopt it when the change carries it wrapped for
 * this region, report it missing otherwise.
 *
 * The change is read defensively (anyone who can publish on the stream can put bytes there): a
 * malformed change is a reason to reject, never a TypeError.
 */
import { subjectOf, type CredentialChange } from './state-change.ts';

/** Access key ids are upper-case letters and digits, as AWS's are; they become stream subjects. */
export const ACCESS_KEY_ID_PATTERN = /^[A-Z0-9]{16,128}$/;

export const CREDENTIAL_SECRET_VERSION = 1;

const ascii = new TextEncoder();

/** Additional data of a secret wrapped for one region: it cannot pass for key material, another credential or region. */
export function credentialTransportAad(accessKeyId: string, region: string): Uint8Array {
  return ascii.encode(`latchkey/aws-credential/transport/v1/${accessKeyId}/${region}`);
}

/** Additional data of a secret wrapped under a region's root key at rest. */
export function credentialSecretAad(accessKeyId: string): Uint8Array {
  return ascii.encode(`latchkey/aws-credential/secret/v1/${accessKeyId}`);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function recordProblem(change: CredentialChange): string | null {
  const record: unknown = change.credential;
  if (record === null) return null;
  if (!isObject(record)) return 'the credential is neither null nor a record';
  if (record.accessKeyId !== change.accessKeyId) return 'the credential record names another access key id';
  if (typeof record.principal !== 'string' || record.principal.length === 0) return 'the credential names no principal';
  if (typeof record.creationDateMs !== 'number' || !Number.isFinite(record.creationDateMs)) return 'the credential has no creation date';
  return null;
}

export function credentialChangeProblem(change: CredentialChange, subject: string): string | null {
  if (typeof change.accessKeyId !== 'string' || !ACCESS_KEY_ID_PATTERN.test(change.accessKeyId)) return 'the access key id is malformed';
  if (subject !== subjectOf(change)) return `subject ${subject} does not match access key ${change.accessKeyId}`;
  const wrapped: unknown = change.wrapped;
  if (!isObject(wrapped) || !Object.values(wrapped).every((w) => w instanceof Uint8Array)) return 'the wrapped secrets are malformed';
  return recordProblem(change);
}

/** `region` adopts the secret when it is wrapped for it (own property: never an inherited member). */
export function credentialDecision(change: CredentialChange, region: string): {
  adoptVersions: number[]; missingVersions: number[];
} {
  if (change.credential === null) return { adoptVersions: [], missingVersions: [] };
  return Object.hasOwn(change.wrapped, region)
    ? { adoptVersions: [CREDENTIAL_SECRET_VERSION], missingVersions: [] }
    : { adoptVersions: [], missingVersions: [CREDENTIAL_SECRET_VERSION] };
}
