/**
 * @latchkey/crypto: every use of node:crypto in Latchkey, and the region root of trust. All
 * operations are synchronous; errors are LatchkeyError with codes from @latchkey/core.
 */
export { rootKeyFromBase64, rootKeyFromBytes, ROOT_KEY_BYTES, type RootKey } from './root-key.ts';
export { loadOrCreateRootKeyFile } from './root-key-file.ts';
export { generateKeyMaterial, type GeneratedMaterial } from './key-material.ts';
export { loadKey, loadPublicKey, type LoadedKey } from './loaded-key.ts';
export { decryptSymmetric, encryptSymmetric } from './symmetric.ts';
export { decryptRsaOaep, encryptRsaOaep } from './asymmetric-encryption.ts';
export { sign, verify } from './signing.ts';
export { publicKeyPem } from './public-key-pem.ts';
export { generateMac, verifyMac } from './mac.ts';
export { deriveSharedSecret } from './key-agreement.ts';
export { generateDataKeyPair } from './data-keys.ts';
export { randomBytes } from './random.ts';
export { sha256Hex } from './sha256-hex.ts';
export {
  generateRegionIdentity, privateKeyOf, regionIdentityFromSeeds, signBytes, signingPublicKeyOf, transportAad, transportPublicKeyOf, unwrapForRegion, verifyBytes,
  wrapForRegion, type RegionIdentityMaterial,
} from './region-transport.ts';
