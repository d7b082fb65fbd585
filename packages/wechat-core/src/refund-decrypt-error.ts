import { WechatCoreError } from './wechat-core-error';

/**
 * - `bad_base64`: `req_info` is not canonical base64 of a whole number of AES blocks.
 * - `bad_padding`: PKCS#7 padding is wrong after decryption, almost always the wrong API key.
 * - `bad_xml`: the plaintext is not UTF-8 or not a flat `<root>` document.
 */
export type RefundDecryptErrorReason = 'bad_base64' | 'bad_padding' | 'bad_xml';

export class RefundDecryptError extends WechatCoreError {
  readonly reason: RefundDecryptErrorReason;

  constructor(reason: RefundDecryptErrorReason, message: string, options?: { cause?: unknown }) {
    super('REFUND_DECRYPT_ERROR', message, options);
    this.name = 'RefundDecryptError';
    this.reason = reason;
  }
}
