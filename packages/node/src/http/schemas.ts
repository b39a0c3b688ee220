/**
 * JSON schemas shared by the routes. Request schemas reject unknown fields and wrong types before
 * a handler runs; response schemas make the answers' shape a contract (and serialize them fast).
 */
import {
  DATA_KEY_PAIR_SPECS, DATA_KEY_SPECS, ENCRYPTION_ALGORITHMS, KEY_AGREEMENT_ALGORITHMS, KEY_SPECS, KEY_STATES, KEY_USAGES,
  LIMITS, MAC_ALGORITHMS, MESSAGE_TYPES, SIGNING_ALGORITHMS,
} from '@latchkey/core';

type Schema = Record<string, unknown>;

export function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, properties, required };
}

/** base64 of at most `bytes` bytes; the exact alphabet is checked when decoding. */
export function b64(bytes: number): Schema {
  return { type: 'string', maxLength: Math.ceil(bytes / 3) * 4 };
}

export const str = (maxLength: number, minLength = 0): Schema => ({ type: 'string', minLength, maxLength });
export const int = (minimum: number, maximum: number): Schema => ({ type: 'integer', minimum, maximum });
export const bool: Schema = { type: 'boolean' };
export const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
export const stringMap = (maxProperties: number, maxLength: number): Schema => ({
  type: 'object', maxProperties, additionalProperties: { type: 'string', maxLength },
});
const nullableDate: Schema = { type: 'string' };

export const keyRef = str(300, 1);
export const encryptionContext = stringMap(64, LIMITS.encryptionContextMaxBytes);
export const tags = stringMap(LIMITS.tagsMax, LIMITS.tagValueMaxChars);
export const regions: Schema = { type: ['array', 'null'], maxItems: 64, items: str(32, 1) };
export const idempotencyKey = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' };

export const keySpec = oneOf(KEY_SPECS);
export const keyUsage = oneOf(KEY_USAGES);
export const encryptionAlgorithm = oneOf(ENCRYPTION_ALGORITHMS);
export const signingAlgorithm = oneOf(SIGNING_ALGORITHMS);
export const macAlgorithm = oneOf(MAC_ALGORITHMS);
export const messageType = oneOf(MESSAGE_TYPES);
export const dataKeySpec = oneOf(DATA_KEY_SPECS);
export const dataKeyPairSpec = oneOf(DATA_KEY_PAIR_SPECS);
export const keyAgreementAlgorithm = oneOf(KEY_AGREEMENT_ALGORITHMS);

export const keyIdParams = object({ keyId: keyRef }, ['keyId']);
export const emptyBody: Schema = { type: 'object', additionalProperties: false, properties: {} };

const algorithmList = (values: readonly string[]): Schema => ({ type: 'array', items: oneOf(values) });

export const keyMetadataSchema: Schema = {
  type: 'object',
  properties: {
    keyId: { type: 'string' },
    keySpec,
    keyUsage,
    keyState: oneOf(KEY_STATES),
    description: { type: 'string' },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
    creationDate: { type: 'string' },
    deletionDate: nullableDate,
    pendingWindowDays: { type: 'integer' },
    regions: { type: ['array', 'null'], items: { type: 'string' } },
    currentVersion: { type: 'integer' },
    minDecryptionVersion: { type: 'integer' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { keyVersion: { type: 'integer' }, creationDate: { type: 'string' }, rotationType: { type: 'string' } },
      },
    },
    keyRotationEnabled: { type: 'boolean' },
    rotationPeriodDays: { type: 'integer' },
    nextRotationDate: nullableDate,
    origin: { type: 'string' },
    encryptionAlgorithms: algorithmList(ENCRYPTION_ALGORITHMS),
    signingAlgorithms: algorithmList(SIGNING_ALGORITHMS),
    macAlgorithms: algorithmList(MAC_ALGORITHMS),
    keyAgreementAlgorithms: algorithmList(KEY_AGREEMENT_ALGORITHMS),
  },
  required: ['keyId', 'keySpec', 'keyUsage', 'keyState', 'currentVersion', 'minDecryptionVersion', 'versions', 'creationDate'],
};

export const keyMetadataResponse = object({ keyMetadata: keyMetadataSchema }, ['keyMetadata']);

export const aliasSchema: Schema = {
  type: 'object',
  properties: {
    aliasName: { type: 'string' }, targetKeyId: { type: 'string' }, creationDate: { type: 'string' }, lastUpdatedDate: { type: 'string' },
  },
  required: ['aliasName', 'targetKeyId'],
};

export const errorSchema: Schema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
  required: ['code', 'message'],
};

/** Response schemas for a route: the success answer plus the error body for every error status. */
export function responses(status: number, schema: Schema | null): Record<string, Schema> {
  const out: Record<string, Schema> = { '4xx': errorSchema, '5xx': errorSchema };
  out[String(status)] = schema ?? { type: 'null' };
  return out;
}
