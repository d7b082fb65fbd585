import { WechatCoreError } from './wechat-core-error';

/**
 * Why a v3 response or notify was not accepted as WeChat's:
 * - `missing_header`: a `Wechatpay-Timestamp/-Nonce/-Signature/-Serial` header is absent or empty.
 * - `bad_timestamp`: `Wechatpay-Timestamp` is not whole seconds.
 * - `stale_timestamp`: more than 300 s from now (a replay, or a clock that needs NTP).
 * - `unknown_serial`: no configured key has that serial / public-key ID. Never a reason to fetch keys.
 * - `signature_probe`: a `WECHATPAY/SIGNTEST/` probe, which WeChat sends to check the merchant refuses it.
 * - `bad_signature`: the signature does not cover these bytes with that key.
 */
export type V3SignatureErrorReason =
  | 'missing_header'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'unknown_serial'
  | 'signature_probe'
  | 'bad_signature';

export class V3SignatureError extends WechatCoreError {
  readonly reason: V3SignatureErrorReason;

  constructor(reason: V3SignatureErrorReason, message: string) {
    super('V3_SIGNATURE_ERROR', message);
    this.name = 'V3SignatureError';
    this.reason = reason;
  }
}
