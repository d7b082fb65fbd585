/**
 * v3 notifies as WeChat sends them for the demo merchant (public-key mode: the emulator's demo WeChat Pay private key
 * signs, the demo APIv3 key encrypts), with knobs to forge each part.
 */
import { randomUUID, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  V3_AUTH_SCHEME,
  encryptAeadAesGcm,
  loadMerchantPrivateKey,
  signWechatpayMessage,
} from '@wxh5/wechat-core';
import { DEMO_API_V3_KEY, DEMO_KEY_FILES, DEMO_WECHATPAY_PUBLIC_KEY_ID } from '@wxh5/wechat-emulator';
import { DEMO } from './support';

export const DEMO_WECHATPAY_PRIVATE_KEY = loadMerchantPrivateKey(
  readFileSync(DEMO_KEY_FILES.wechatpayPrivateKey, 'utf8'),
);
export const OTHER_KEY: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

export interface V3NotifyOptions {
  outTradeNo: string;
  totalFen: number;
  transactionId?: string;
  openid?: string;
  /** Fields of the Transaction to override (appid, mchid, trade_state …). */
  transaction?: Record<string, unknown>;
  eventType?: string;
  apiV3Key?: string;
  associatedData?: string;
  /** Flip a byte of the ciphertext (a bad GCM tag). */
  tamperCiphertext?: boolean;
  /** Raw body instead of the envelope (still signed). */
  rawBody?: string;
  signWith?: KeyObject;
  serial?: string;
  timestamp?: number;
  probe?: boolean;
  /** Drop these headers. */
  omitHeaders?: string[];
  /** Change the body after signing. */
  alterAfterSigning?: (body: string) => string;
}

export interface V3Notify {
  body: string;
  headers: Record<string, string>;
}

export function buildV3PayNotify(options: V3NotifyOptions): V3Notify {
  const transaction = {
    appid: DEMO.appId,
    mchid: DEMO.mchId,
    out_trade_no: options.outTradeNo,
    transaction_id:
      options.transactionId ?? `4200${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 28),
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    payer: { openid: options.openid ?? 'oTestOpenid' },
    amount: {
      total: options.totalFen,
      payer_total: options.totalFen,
      currency: 'CNY',
      payer_currency: 'CNY',
    },
    ...options.transaction,
  };
  const resource = encryptAeadAesGcm(JSON.stringify(transaction), options.apiV3Key ?? DEMO_API_V3_KEY, {
    associatedData: 'transaction',
  });
  if (options.associatedData !== undefined) resource.associated_data = options.associatedData;
  if (options.tamperCiphertext) {
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0x01;
    resource.ciphertext = bytes.toString('base64');
  }
  const body =
    options.rawBody ??
    JSON.stringify({
      id: randomUUID(),
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: options.eventType ?? 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: { original_type: 'transaction', ...resource },
    });
  const signed = signWechatpayMessage({
    privateKey: options.signWith ?? DEMO_WECHATPAY_PRIVATE_KEY,
    serial: options.serial ?? DEMO_WECHATPAY_PUBLIC_KEY_ID,
    body,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(options.probe ? { probe: true } : {}),
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'wechatpay-signature-type': V3_AUTH_SCHEME,
  };
  for (const [name, value] of Object.entries(signed)) {
    if (!options.omitHeaders?.includes(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  return { body: options.alterAfterSigning ? options.alterAfterSigning(body) : body, headers };
}

export interface JsonAnswer {
  status: number;
  text: string;
  json: { code?: string; message?: string } | null;
}

export async function postNotify(url: string, notify: V3Notify): Promise<JsonAnswer> {
  const response = await fetch(url, { method: 'POST', headers: notify.headers, body: notify.body });
  const text = await response.text();
  let json: JsonAnswer['json'] = null;
  try {
    json = JSON.parse(text) as JsonAnswer['json'];
  } catch {
    json = null;
  }
  return { status: response.status, text, json };
}
