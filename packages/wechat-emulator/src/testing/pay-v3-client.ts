// A signed API v3 client for tests, built on @wxh5/wechat-core (the signer the api uses too): registers
// v3 merchants through the control API, signs requests, and verifies every answer with the merchant's
// WeChat Pay keys the way a merchant would.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  V3SignatureError,
  createWechatpayVerifier,
  loadMerchantPrivateKey,
  loadPlatformCertificate,
  loadWechatpayPublicKey,
  readWechatpayHeaders,
  signV3Request,
} from '@wxh5/wechat-core';
import type { VerifiedWechatpayMessage, WechatpayVerifier } from '@wxh5/wechat-core';
import { DEMO_API_V3_KEY, DEMO_KEY_FILES, DEMO_MCH_CERT_SERIAL } from '../v3/wechatpay-keys';
import type { VerificationMode } from '../v3/wechatpay-keys';

export interface WechatpayKeysAnswer {
  mode: VerificationMode;
  publicKeyId: string | null;
  publicKeyPem: string | null;
  platformCertificates: { serialNo: string; pem: string }[];
}

export interface V3Merchant {
  mchId: string;
  apiV3Key: string;
  certSerialNo: string;
  privateKey: KeyObject;
  keys: WechatpayKeysAnswer;
}

export async function fetchWechatpayKeys(baseUrl: string, mchId: string): Promise<WechatpayKeysAnswer> {
  const response = await fetch(`${baseUrl}/__emulator/merchants/${mchId}/wechatpay-keys`);
  if (response.status !== 200) throw new Error(`wechatpay-keys answered ${response.status}`);
  return (await response.json()) as WechatpayKeysAnswer;
}

/** The seeded demo merchant (public-key mode, fixed demo key files). */
export async function demoV3Merchant(baseUrl: string, mchId: string): Promise<V3Merchant> {
  return {
    mchId,
    apiV3Key: DEMO_API_V3_KEY,
    certSerialNo: DEMO_MCH_CERT_SERIAL,
    privateKey: loadMerchantPrivateKey(readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8')),
    keys: await fetchWechatpayKeys(baseUrl, mchId),
  };
}

/** Registers (or re-registers) a v3 merchant bound to `appIds` with a fresh merchant key pair. */
export async function registerV3Merchant(
  baseUrl: string,
  input: { mchId: string; appIds: string[]; mode: VerificationMode; publicKeyShare?: number; key?: string },
  previous?: V3Merchant,
): Promise<V3Merchant> {
  const privateKey = previous?.privateKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const apiV3Key = previous?.apiV3Key ?? 'V3TestKey0123456789abcdefABCDEFG';
  const certSerialNo = previous?.certSerialNo ?? '1A2B3C4D5E6F708192A3B4C5D6E7F80912345678';
  const response = await fetch(`${baseUrl}/__emulator/merchants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      mchId: input.mchId,
      appIds: input.appIds,
      ...(input.key === undefined ? {} : { key: input.key }),
      v3: {
        apiV3Key,
        certSerialNo,
        merchantPublicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
        mode: input.mode,
        ...(input.publicKeyShare === undefined ? {} : { publicKeyShare: input.publicKeyShare }),
      },
    }),
  });
  if (response.status !== 201)
    throw new Error(`merchant registration answered ${response.status}: ${await response.text()}`);
  return {
    mchId: input.mchId,
    apiV3Key,
    certSerialNo,
    privateKey,
    keys: await fetchWechatpayKeys(baseUrl, input.mchId),
  };
}

/** A verifier over what the merchant was handed (public key, certificates, or both). */
export function merchantVerifier(keys: WechatpayKeysAnswer, now?: () => number): WechatpayVerifier {
  return createWechatpayVerifier(
    {
      ...(keys.publicKeyId && keys.publicKeyPem
        ? { publicKey: { id: keys.publicKeyId, key: loadWechatpayPublicKey(keys.publicKeyPem) } }
        : {}),
      certificates: keys.platformCertificates.map((cert) => loadPlatformCertificate(cert.pem)),
    },
    now === undefined ? {} : { now },
  );
}

export interface V3CallOptions {
  /** Sent as Wechatpay-Serial; default the public-key ID if the merchant has one, else none. */
  wechatpaySerial?: string | null;
  /** Sign with another key / serial / timestamp to test refusals. */
  signWith?: KeyObject;
  serialNo?: string;
  timestamp?: number;
  /** Replace the Authorization header entirely (null: none). */
  authorization?: string | null;
  /** Send these bytes but sign `signedBody` (a signature over other bytes). */
  signedBody?: string;
}

export interface V3Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | null;
  /** The answer's signature check with the merchant's keys: the key kind, or the refusal. */
  verified: VerifiedWechatpayMessage | V3SignatureError;
}

export async function callV3(
  baseUrl: string,
  merchant: V3Merchant,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: V3CallOptions = {},
): Promise<V3Answer> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const signed = signV3Request({
    method,
    url: path,
    body: options.signedBody ?? text,
    mchId: merchant.mchId,
    serialNo: options.serialNo ?? merchant.certSerialNo,
    privateKey: options.signWith ?? merchant.privateKey,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  const serial = options.wechatpaySerial === undefined ? merchant.keys.publicKeyId : options.wechatpaySerial;
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'wxh5-tests',
    ...(text === '' ? {} : { 'content-type': 'application/json' }),
    ...(serial ? { 'wechatpay-serial': serial } : {}),
  };
  const authorization = options.authorization === undefined ? signed.authorization : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(text === '' ? {} : { body: text }),
  });
  const answer = await response.text();
  let verified: VerifiedWechatpayMessage | V3SignatureError;
  try {
    verified = merchantVerifier(merchant.keys).verify(
      readWechatpayHeaders(Object.fromEntries(response.headers.entries()), answer),
    );
  } catch (error) {
    if (!(error instanceof V3SignatureError)) throw error;
    verified = error;
  }
  let json: Record<string, unknown> | null = null;
  try {
    json = answer === '' ? null : (JSON.parse(answer) as Record<string, unknown>);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text: answer, json, verified };
}
