/**
 * What both sides of the benchmark agree on: the notify orders (inserted by the runner into the database a server
 * uses) and their valid v2 notifies (sent by autocannon), both derived from a tag and `i` alone.
 */
import { buildXml, createNonce, formatPayTime, signV2 } from '@wxh5/wechat-core';
import type { Insertable } from 'kysely';
import type { Database } from '../src/store/schema';

export const DEMO = {
  appId: 'wx8a4c5b1d2e3f6a70',
  appSecret: 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a',
  mchId: '1900000109',
  payKey: 'DemoPayKey0123456789abcdefABCDEF',
};

export const NOTIFY_USER = 'oBenchNotify';

/** `tag` tells apart the runs and the servers sharing a database (≤ 12 characters). */
export const notifyOrderNo = (tag: string, i: number) => `N${tag}${String(i).padStart(10, '0')}`;
const amountFen = (i: number) => 100 + (i % 1000);

export function notifyOrderRow(tag: string, i: number, now: string): Insertable<Database['orders']> {
  return {
    out_trade_no: notifyOrderNo(tag, i),
    openid: NOTIFY_USER,
    amount_fen: amountFen(i),
    description: 'bench',
    status: 'PENDING',
    sign_scheme: 'HMAC-SHA256',
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
  const fields = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: DEMO.appId,
    mch_id: DEMO.mchId,
    nonce_str: createNonce(),
    sign_type: 'HMAC-SHA256',
    result_code: 'SUCCESS',
    openid: NOTIFY_USER,
    is_subscribe: 'N',
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    total_fee: amountFen(i),
    fee_type: 'CNY',
    cash_fee: amountFen(i),
    transaction_id: `4200000001${tag}${String(i).padStart(10, '0')}`,
    out_trade_no: notifyOrderNo(tag, i),
    time_end: formatPayTime(new Date()),
  };
  return buildXml({ ...fields, sign: signV2(fields, DEMO.payKey, 'HMAC-SHA256') });
}
