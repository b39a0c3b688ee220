/**
 * What each key spec is and what it may do: the single table that request validation, the crypto
 * engine and the documentation all read. Names follow AWS KMS.
 */

export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512',
  'RSA_2048', 'RSA_3072', 'RSA_4096',
  'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512',
  'ED25519_SHA_512',
  'ML_DSA_SHAKE_256',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

export const KEY_AGREEMENT_ALGORITHMS = ['ECDH'] as const;
export type KeyAgreementAlgorithm = (typeof KEY_AGREEMENT_ALGORITHMS)[number];

export const MESSAGE_TYPES = ['RAW', 'DIGEST'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const DATA_KEY_SPECS = ['AES_128', 'AES_256'] as const;
export type DataKeySpec = (typeof DATA_KEY_SPECS)[number];

export const DATA_KEY_PAIR_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096',
  'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519',
] as const;
export type DataKeyPairSpec = (typeof DATA_KEY_PAIR_SPECS)[number];

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface KeySpecInfo {
  readonly family: 'aes' | 'hmac' | 'rsa' | 'ec' | 'ed25519' | 'ml-dsa';
  readonly usages: readonly KeyUsage[];
  readonly signingAlgorithms: readonly SigningAlgorithm[];
  readonly encryptionAlgorithms: readonly EncryptionAlgorithm[];
  readonly macAlgorithms: readonly MacAlgorithm[];
  readonly keyAgreementAlgorithms: readonly KeyAgreementAlgorithm[];
  /** RSA modulus bits, EC curve name, HMAC hash, ML-DSA parameter set: what the crypto engine needs. */
  readonly rsaBits?: number;
  readonly curve?: 'prime256v1' | 'secp384r1' | 'secp521r1' | 'secp256k1';
  readonly hmacHash?: HashName;
  readonly mlDsa?: 'ml-dsa-44' | 'ml-dsa-65' | 'ml-dsa-87';
  /** Only symmetric encryption keys rotate, as in AWS KMS. */
  readonly rotatable: boolean;
}

const RSA_SIGN: readonly SigningAlgorithm[] = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
];
const RSA_ENCRYPT: readonly EncryptionAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
const NONE = [] as const;

function rsa(bits: number): KeySpecInfo {
  return {
    family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signingAlgorithms: RSA_SIGN,
    encryptionAlgorithms: RSA_ENCRYPT, macAlgorithms: NONE, keyAgreementAlgorithms: NONE, rsaBits: bits, rotatable: false,
  };
}
function ec(curve: NonNullable<KeySpecInfo['curve']>, alg: SigningAlgorithm): KeySpecInfo {
  return {
    family: 'ec', usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signingAlgorithms: [alg], encryptionAlgorithms: NONE,
    macAlgorithms: NONE, keyAgreementAlgorithms: ['ECDH'], curve, rotatable: false,
  };
}
function hmac(hash: HashName, alg: MacAlgorithm): KeySpecInfo {
  return {
    family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], signingAlgorithms: NONE, encryptionAlgorithms: NONE,
    macAlgorithms: [alg], keyAgreementAlgorithms: NONE, hmacHash: hash, rotatable: false,
  };
}
function mlDsa(set: NonNullable<KeySpecInfo['mlDsa']>): KeySpecInfo {
  return {
    family: 'ml-dsa', usages: ['SIGN_VERIFY'], signingAlgorithms: ['ML_DSA_SHAKE_256'], encryptionAlgorithms: NONE,
    macAlgorithms: NONE, keyAgreementAlgorithms: NONE, mlDsa: set, rotatable: false,
  };
}

export const KEY_SPEC_INFO: Readonly<Record<KeySpec, KeySpecInfo>> = {
  SYMMETRIC_DEFAULT: {
    family: 'aes', usages: ['ENCRYPT_DECRYPT'], signingAlgorithms: NONE, encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    macAlgorithms: NONE, keyAgreementAlgorithms: NONE, rotatable: true,
  },
  HMAC_224: hmac('sha224', 'HMAC_SHA_224'),
  HMAC_256: hmac('sha256', 'HMAC_SHA_256'),
  HMAC_384: hmac('sha384', 'HMAC_SHA_384'),
  HMAC_512: hmac('sha512', 'HMAC_SHA_512'),
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
  ECC_NIST_P256: ec('prime256v1', 'ECDSA_SHA_256'),
  ECC_NIST_P384: ec('secp384r1', 'ECDSA_SHA_384'),
  ECC_NIST_P521: ec('secp521r1', 'ECDSA_SHA_512'),
  ECC_SECG_P256K1: ec('secp256k1', 'ECDSA_SHA_256'),
  ECC_NIST_EDWARDS25519: {
    family: 'ed25519', usages: ['SIGN_VERIFY'], signingAlgorithms: ['ED25519_SHA_512'], encryptionAlgorithms: NONE,
    macAlgorithms: NONE, keyAgreementAlgorithms: NONE, rotatable: false,
  },
  ML_DSA_44: mlDsa('ml-dsa-44'),
  ML_DSA_65: mlDsa('ml-dsa-65'),
  ML_DSA_87: mlDsa('ml-dsa-87'),
};

/**
 * Own-property check, so that a name like `toString` or `__proto__` arriving from JSON is not
 * mistaken for a key spec through the object's prototype.
 */
export function isKeySpec(value: unknown): value is KeySpec {
  return typeof value === 'string' && Object.hasOwn(KEY_SPEC_INFO, value);
}

/** The hash behind a signing algorithm, and so the length a DIGEST message must have. */
export const SIGNING_HASH: Readonly<Record<SigningAlgorithm, HashName | null>> = {
  RSASSA_PSS_SHA_256: 'sha256', RSASSA_PSS_SHA_384: 'sha384', RSASSA_PSS_SHA_512: 'sha512',
  RSASSA_PKCS1_V1_5_SHA_256: 'sha256', RSASSA_PKCS1_V1_5_SHA_384: 'sha384', RSASSA_PKCS1_V1_5_SHA_512: 'sha512',
  ECDSA_SHA_256: 'sha256', ECDSA_SHA_384: 'sha384', ECDSA_SHA_512: 'sha512',
  ED25519_SHA_512: null,
  ML_DSA_SHAKE_256: null,
};

export const HASH_LENGTH_BYTES: Readonly<Record<HashName, number>> = {
  sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64,
};

export const MAC_HASH: Readonly<Record<MacAlgorithm, HashName>> = {
  HMAC_SHA_224: 'sha224', HMAC_SHA_256: 'sha256', HMAC_SHA_384: 'sha384', HMAC_SHA_512: 'sha512',
};

/** Largest plaintext RSA-OAEP takes: k - 2*hLen - 2 bytes. */
export function rsaOaepMaxPlaintextBytes(rsaBits: number, alg: EncryptionAlgorithm): number {
  const hashLen = alg === 'RSAES_OAEP_SHA_1' ? 20 : 32;
  return rsaBits / 8 - 2 * hashLen - 2;
}

/** Ed25519 and ML-DSA sign the message itself, so they accept RAW only. */
export function allowsDigestMessages(alg: SigningAlgorithm): boolean {
  return SIGNING_HASH[alg] !== null;
}

export const LIMITS = {
  plaintextMaxBytes: 4096,
  ciphertextMaxBytes: 6144,
  signMessageMaxBytes: 4096,
  macMessageMaxBytes: 4096,
  randomMaxBytes: 1024,
  dataKeyMaxBytes: 1024,
  batchMaxItems: 1000,
  descriptionMaxChars: 8192,
  tagsMax: 50,
  tagKeyMaxChars: 128,
  tagValueMaxChars: 256,
  encryptionContextMaxBytes: 8192,
  aliasNameMaxChars: 256,
  pendingWindowDaysMin: 7,
  pendingWindowDaysMax: 30,
  pendingWindowDaysDefault: 30,
  rotationPeriodDaysMin: 90,
  rotationPeriodDaysMax: 2560,
  rotationPeriodDaysDefault: 365,
  onDemandRotationsMax: 10,
  listLimitMax: 1000,
  listLimitDefault: 100,
} as const;
