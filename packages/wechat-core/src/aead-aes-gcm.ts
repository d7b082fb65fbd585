import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AeadDecryptError } from './aead-decrypt-error';
import { randomBase62 } from './create-nonce';

/** The encrypted `resource` of a v3 notify, or `encrypt_certificate` of /v3/certificates (wire names). */
export interface AeadResource {
  algorithm?: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function cipherFor(apiV3Key: string): { name: 'aes-256-gcm' | 'aes-192-gcm' | 'aes-128-gcm'; key: Buffer } {
  const key = Buffer.from(apiV3Key, 'utf8');
  // APIv3 keys are 32 characters (AES-256). Like the official Go SDK (whose AES follows the key length),
  // 16- and 24-byte keys select AES-128/192, which only SDK test vectors use.
  if (key.length === 32) return { name: 'aes-256-gcm', key };
  if (key.length === 24) return { name: 'aes-192-gcm', key };
  if (key.length === 16) return { name: 'aes-128-gcm', key };
  throw new AeadDecryptError('bad_key', `the APIv3 key must be 32 bytes, got ${key.length}`);
}

/**
 * Decrypts AEAD_AES_256_GCM: `ciphertext` is base64 of ciphertext ‖ 16-byte tag, `nonce` the 12-character
 * text itself (its UTF-8 bytes are the IV), `associated_data` the AAD (may be empty).
 */
export function decryptAeadAesGcm(resource: AeadResource, apiV3Key: string): string {
  const { name, key } = cipherFor(apiV3Key);
  if (resource.algorithm !== undefined && resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new AeadDecryptError('bad_input', `unknown algorithm ${resource.algorithm}`);
  }
  if (typeof resource.nonce !== 'string' || resource.nonce === '') {
    throw new AeadDecryptError('bad_input', 'resource.nonce is missing');
  }
  if (typeof resource.ciphertext !== 'string' || !BASE64.test(resource.ciphertext)) {
    throw new AeadDecryptError('bad_input', 'resource.ciphertext is not base64');
  }
  const bytes = Buffer.from(resource.ciphertext, 'base64');
  if (bytes.length < TAG_BYTES) throw new AeadDecryptError('bad_input', 'resource.ciphertext is too short');
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv(name, key, Buffer.from(resource.nonce, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    plaintext = Buffer.concat([
      decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new AeadDecryptError(
      'auth_failed',
      'the resource does not decrypt: wrong APIv3 key, or nonce/associated_data/ciphertext altered',
      { cause: error },
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch (error) {
    throw new AeadDecryptError('not_utf8', 'the decrypted resource is not UTF-8', { cause: error });
  }
}

export interface EncryptAeadOptions {
  /** 12 characters; default random [A-Za-z0-9]. */
  nonce?: string;
  associatedData?: string;
}

/** WeChat's side (the emulator): encrypts `plaintext` into a `resource` the merchant decrypts. */
export function encryptAeadAesGcm(
  plaintext: string,
  apiV3Key: string,
  options: EncryptAeadOptions = {},
): Required<AeadResource> {
  const { name, key } = cipherFor(apiV3Key);
  const nonce = options.nonce ?? randomBase62(12);
  const associatedData = options.associatedData ?? '';
  const cipher = createCipheriv(name, key, Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: body.toString('base64'),
    nonce,
    associated_data: associatedData,
  };
}

/** A random 32-character APIv3 key (what a merchant sets in 账户中心 → API安全). */
export function createApiV3Key(): string {
  return randomBytes(24).toString('base64url').slice(0, 32);
}
