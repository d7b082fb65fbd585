import type { SignType } from '@wxh5/wechat-core';

/**
 * Which algorithm verifies this v2 notify (product.md §7.2): its `sign_type` when present, else the signature's
 * length (32 → MD5, 64 → HMAC-SHA256), else the configured one. `null` = an unknown declared sign type.
 *
 * "Wrong sign type" — decided here and in the business code, tested in test/notify.test.ts:
 * - `sign_type` names an algorithm the sign was not made with (says MD5, carries an HMAC) → the verification with
 *   the declared algorithm fails → FAIL `bad_signature`.
 * - `sign_type` is neither MD5 nor HMAC-SHA256 → FAIL `bad_sign_type`.
 * - the sign verifies, but with another scheme than the one the ORDER was placed with (e.g. a correct MD5 sign
 *   while the order was placed with HMAC-SHA256) → FAIL `sign_type_mismatch` (pay/handle-pay-notify.ts). WeChat
 *   signs a notify with the sign type of its unifiedorder, so anything else is not WeChat; refusing it also denies
 *   a downgrade to MD5.
 */
export function notifySignType(fields: Record<string, string>, configured: SignType): SignType | null {
  const declared = fields['sign_type'];
  if (declared !== undefined && declared !== '') {
    return declared === 'MD5' || declared === 'HMAC-SHA256' ? declared : null;
  }
  const sign = fields['sign'] ?? '';
  if (sign.length === 32) return 'MD5';
  if (sign.length === 64) return 'HMAC-SHA256';
  return configured;
}
