import { WechatCoreError } from './wechat-core-error';

/**
 * - `bad_key`: the APIv3 key is not 32 bytes (16 and 24 are accepted only for other SDKs' test vectors).
 * - `bad_input`: nonce, ciphertext or algorithm missing or malformed.
 * - `auth_failed`: the GCM tag does not match: wrong APIv3 key, nonce or associated_data, or altered bytes.
 * - `not_utf8`: it decrypted but the plaintext is not UTF-8.
 */
export type AeadDecryptErrorReason = 'bad_key' | 'bad_input' | 'auth_failed' | 'not_utf8';

export class AeadDecryptError extends WechatCoreError {
  readonly reason: AeadDecryptErrorReason;

  constructor(reason: AeadDecryptErrorReason, message: string, options?: { cause?: unknown }) {
    super('AEAD_DECRYPT_ERROR', message, options);
    this.name = 'AeadDecryptError';
    this.reason = reason;
  }
}
