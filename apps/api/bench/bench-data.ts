/**
 * What both sides of the benchmark agree on: the notify orders (inserted by the runner into the database a server
 * uses) and their valid v2 notifies (sent by autocannon), both derived from a tag and `i` alone.
 */
import { buildV2PayNotify } from '@wxh5/wechat-core';
import { DEMO } from '@wxh5/wechat-emulator/testing';
import type { Insertable } from 'kysely';
import type { Database } from '../src/store/schema';

export { DEMO };

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
