/**
 * What both sides of the benchmark agree on: the notify orders (inserted by the runner into the database a server
 * uses) and their valid v2 and v3 notifies (sent by autocannon), derived from a tag and `i` alone.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  V3_AUTH_SCHEME,
  buildV2PayNotify,
  encryptAeadAesGcm,
  loadMerchantPrivateKey,
  signWechatpayMessage,
} from '@wxh5/wechat-core';
import { DEMO_KEY_FILES, DEMO_WECHATPAY_PUBLIC_KEY_ID } from '@wxh5/wechat-emulator';
import { DEMO } from '@wxh5/wechat-emulator/testing';
import type { Insertable } from 'kysely';
import type { Database } from '../src/store/schema';

export { DEMO };

export const NOTIFY_USER = 'oBenchNotify';

/** `tag` tells apart the runs and the servers sharing a database (≤ 12 characters). */
export const notifyOrderNo = (tag: string, i: number) => `N${tag}${String(i).padStart(10, '0')}`;
const amountFen = (i: number) => 100 + (i % 1000);

/** A PENDING notify order: HMAC-SHA256 for the v2 notifies, RSA for the v3 ones. */
export function notifyOrderRow(
  tag: string,
  i: number,
  now: string,
  signScheme: 'HMAC-SHA256' | 'RSA' = 'HMAC-SHA256',
): Insertable<Database['orders']> {
  return {
    out_trade_no: notifyOrderNo(tag, i),
    openid: NOTIFY_USER,
    amount_fen: amountFen(i),
    description: 'bench',
    status: 'PENDING',
    sign_scheme: signScheme,
    client_ip: '127.0.0.1',
    prepay_id: null,
    prepay_expires_at: null,
    transaction_id: null,
    paid_at: null,
    refunded_fen: 0,
    created_at: now,
    updated_at: now,
  };
}

/** WeChat's valid HMAC-SHA256 payment notify for notify order #i of `tag`. */
export function notifyBody(tag: string, i: number): string {
  return buildV2PayNotify({
    appId: DEMO.appId,
    mchId: DEMO.mchId,
    key: DEMO.payKey,
    signType: 'HMAC-SHA256',
    openid: NOTIFY_USER,
    totalFee: amountFen(i),
    transactionId: `4200000001${tag}${String(i).padStart(10, '0')}`,
    outTradeNo: notifyOrderNo(tag, i),
  });
}

/** The demo "WeChat Pay" private key (the emulator's): what signs the v3 notifies the app trusts. */
let wechatpayKey: ReturnType<typeof loadMerchantPrivateKey> | undefined;

export interface V3NotifyRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * WeChat's valid v3 TRANSACTION.SUCCESS notify for notify order #i of `tag`, as the emulator sends one in public-key
 * mode: the Transaction AES-256-GCM encrypted with the demo APIv3 key, the body signed (SHA256withRSA over
 * timestamp, nonce and the raw body) with the demo WeChat Pay private key, named by its public-key ID. Signed now:
 * valid for the ±300 s window.
 */
export function v3NotifyRequest(tag: string, i: number): V3NotifyRequest {
  wechatpayKey ??= loadMerchantPrivateKey(readFileSync(DEMO_KEY_FILES.wechatpayPrivateKey, 'utf8'));
  const now = new Date();
  const transaction = {
    appid: DEMO.appId,
    mchid: DEMO.mchId,
    out_trade_no: notifyOrderNo(tag, i),
    transaction_id: `4200000003${tag}${String(i).padStart(10, '0')}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: now.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    payer: { openid: NOTIFY_USER },
    amount: { total: amountFen(i), payer_total: amountFen(i), currency: 'CNY', payer_currency: 'CNY' },
  };
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: now.toISOString(),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      ...encryptAeadAesGcm(JSON.stringify(transaction), DEMO.apiV3Key, { associatedData: 'transaction' }),
    },
  });
  const signed = signWechatpayMessage({
    privateKey: wechatpayKey,
    serial: DEMO_WECHATPAY_PUBLIC_KEY_ID,
    body,
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'wechatpay-signature-type': V3_AUTH_SCHEME,
  };
  for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  return { body, headers };
}
