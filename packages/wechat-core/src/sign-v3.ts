import { createSign, createVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createNonce } from './create-nonce';

/** The only scheme v3 knows: SHA256withRSA (PKCS#1 v1.5) with 2048-bit keys. */
export const V3_AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** v3 signs lines: each part followed by `\n`, including the last (an empty body leaves an empty line). */
export function buildV3SignMessage(parts: readonly string[]): string {
  return parts.map((part) => `${part}\n`).join('');
}

/** base64 SHA256withRSA of `message` (UTF-8). */
export function rsaSignBase64(message: string | Buffer, privateKey: KeyObject): string {
  return createSign('sha256').update(message).sign(privateKey, 'base64');
}

/** Checks a base64 SHA256withRSA signature; anything malformed is simply `false`. */
export function rsaVerifyBase64(message: string | Buffer, signature: string, publicKey: KeyObject): boolean {
  if (signature === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('sha256').update(message).verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

export interface SignV3RequestInput {
  /** `GET`, `POST`, … (upper case on the wire). */
  method: string;
  /** Path plus `?query`, exactly as sent (`/v3/pay/transactions/id/42?mchid=1900000109`). */
  url: string;
  /** The exact JSON bytes sent, or '' for a request without a body. */
  body: string;
  mchId: string;
  /** The merchant API certificate's serial (商户API证书序列号), not WeChat's. */
  serialNo: string;
  privateKey: KeyObject;
  /** Seconds since the epoch; default now. */
  timestamp?: number | string;
  nonce?: string;
}

export interface SignedV3Request {
  authorization: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

/** Builds `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`. */
export function signV3Request(input: SignV3RequestInput): SignedV3Request {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? createNonce();
  const signature = rsaSignBase64(
    buildV3SignMessage([input.method.toUpperCase(), input.url, timestamp, nonce, input.body]),
    input.privateKey,
  );
  const authorization =
    `${V3_AUTH_SCHEME} mchid="${input.mchId}",nonce_str="${nonce}",timestamp="${timestamp}",` +
    `serial_no="${input.serialNo}",signature="${signature}"`;
  return { authorization, timestamp, nonce, signature };
}

export interface V3Authorization {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

const AUTH_FIELDS = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'] as const;

/**
 * Reads an Authorization header (WeChat's side). Field order is free and values are quoted; any other
 * scheme, a missing or repeated field, or an unquoted value gives null.
 */
export function parseV3Authorization(header: string | undefined): V3Authorization | null {
  if (header === undefined) return null;
  const prefix = `${V3_AUTH_SCHEME} `;
  if (!header.startsWith(prefix)) return null;
  const found = new Map<string, string>();
  for (const part of header.slice(prefix.length).split(',')) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!match) return null;
    const [, name = '', value = ''] = match;
    if (found.has(name)) return null;
    found.set(name, value);
  }
  const out: Partial<Record<(typeof AUTH_FIELDS)[number], string>> = {};
  for (const name of AUTH_FIELDS) {
    const value = found.get(name);
    if (value === undefined || value === '') return null;
    out[name] = value;
  }
  return out as V3Authorization;
}

/** WeChat's check of a merchant request: the signature over METHOD, URL, timestamp, nonce and body. */
export function verifyV3Request(
  input: { method: string; url: string; body: string; authorization: V3Authorization },
  merchantPublicKey: KeyObject,
): boolean {
  const { authorization: auth } = input;
  return rsaVerifyBase64(
    buildV3SignMessage([input.method.toUpperCase(), input.url, auth.timestamp, auth.nonce_str, input.body]),
    auth.signature,
    merchantPublicKey,
  );
}
