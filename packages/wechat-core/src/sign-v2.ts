import { createHmac, hash } from 'node:crypto';
import { safeEqualHex } from './safe-equal-hex';

/** The two WeChat Pay v2 signature algorithms. `MD5` is WeChat's default when `sign_type` is absent. */
export type SignType = 'MD5' | 'HMAC-SHA256';

/** A flat v2 message. `undefined`, `null` and `''` mean "absent" and are not signed. */
export type SignableParams = Readonly<Record<string, string | number | null | undefined>>;

export function isSignType(value: unknown): value is SignType {
  return value === 'MD5' || value === 'HMAC-SHA256';
}

/**
 * `stringSignTemp`: every non-empty field except `sign`, sorted by name in ASCII order, joined
 * `k=v&…` with raw (not URL-encoded) values, then `&key=<API key>`.
 */
export function buildStringSignTemp(params: SignableParams, key: string): string {
  let message = '';
  for (const name of Object.keys(params).sort()) {
    if (name === 'sign') continue;
    const value = params[name];
    if (value === undefined || value === null || value === '') continue;
    message += `${name}=${String(value)}&`;
  }
  return `${message}key=${key}`;
}

/**
 * Signs a v2 message; returns uppercase hex (32 chars for MD5, 64 for HMAC-SHA256).
 * Trap: HMAC-SHA256 is keyed with the API key AND its message still ends with `&key=<API key>`;
 * HMAC over stringA alone gives a value WeChat rejects.
 * Trap: when the message carries `sign_type`, it is part of the signed set like any other field.
 */
export function signV2(params: SignableParams, key: string, signType: SignType = 'MD5'): string {
  const message = buildStringSignTemp(params, key);
  // MD5 uses the one-shot `hash` (a string is hashed as UTF-8): no Hash object to set up.
  const digest =
    signType === 'HMAC-SHA256'
      ? createHmac('sha256', key).update(message, 'utf8').digest('hex')
      : hash('md5', message, 'hex');
  return digest.toUpperCase();
}

/**
 * Which algorithm a received message claims. An explicit `sign_type` wins (an unknown one gives
 * `null`: refuse the message). Without it: `fallback` if given, else the signature's length
 * (64 hex → HMAC-SHA256, as wechatpay-axios-plugin does for notifies), else WeChat's default MD5.
 */
export function detectSignType(params: SignableParams, fallback?: SignType): SignType | null {
  const declared = params['sign_type'];
  if (declared !== undefined && declared !== null && declared !== '') {
    return isSignType(declared) ? declared : null;
  }
  if (fallback !== undefined) return fallback;
  const sign = params['sign'];
  if (typeof sign === 'string' && sign.length === 64) return 'HMAC-SHA256';
  return 'MD5';
}

/**
 * Verifies a received v2 message (a response, a notify) in constant time. Without `signType` the
 * algorithm is `params.sign_type`, else inferred from the sign's length (32 → MD5, 64 →
 * HMAC-SHA256). A missing sign or an unknown `sign_type` is simply `false`.
 */
export function verifyV2(params: SignableParams, key: string, signType?: SignType): boolean {
  const received = params['sign'];
  if (typeof received !== 'string' || received === '') return false;
  const type = signType ?? detectSignType(params);
  if (type === null) return false;
  return safeEqualHex(signV2(params, key, type), received);
}
