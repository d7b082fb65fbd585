import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

// WeChat Pay v3 encrypts sensitive request fields (names, ID numbers) with RSA-OAEP, MGF1 and SHA-1,
// to the key named by the request's Wechatpay-Serial (public-key ID or platform certificate serial).

/** base64 RSA-OAEP (SHA-1) of a sensitive field, for WeChat's public key. */
export function encryptSensitiveField(plaintext: string, wechatpayPublicKey: KeyObject): string {
  return publicEncrypt(
    { key: wechatpayPublicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(plaintext, 'utf8'),
  ).toString('base64');
}

/** The other direction (WeChat's side, and fields WeChat encrypts for the merchant). */
export function decryptSensitiveField(ciphertext: string, privateKey: KeyObject): string {
  return privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(ciphertext, 'base64'),
  ).toString('utf8');
}
