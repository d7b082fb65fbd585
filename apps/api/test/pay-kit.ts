/**
 * Helpers shared by the pay tests (pay*.test.ts, notify*.test.ts, refund*.test.ts, sweep*.test.ts).
 * `sessionCookie` writes the user row and signs an `openId` session the way the api does (Keygrip sha256 over
 * `openId=<value>`), so pay tests do not depend on the OAuth routes; the OAuth round trip itself is tested in the auth tests.
 */
import { randomBytes } from 'node:crypto';
import Keygrip from 'keygrip';
import { buildV2PayNotify, buildV2RefundNotify, type SignType } from '@wxh5/wechat-core';
import {
  ROUTES,
  type OrderStatus,
  type PayWalletRequest,
  type PayWalletResponse,
  type SignScheme,
} from '@wxh5/contracts';
import { expect } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database, OrderRow } from '../src/store/schema';
import { DEMO, TEST_ADMIN_TOKEN, TEST_COOKIE_KEY, createHttpClient } from './support';

export { DEMO, TEST_ADMIN_TOKEN };

/** A v2 session cookie value (`<openid>.<expiresAt>.<sessionId>.<version>`) signed the way the api does. */
export function signSessionCookie(claims: {
  openId: string;
  expiresAt: number;
  sessionId?: string;
  version?: number;
}): string {
  const value = [
    claims.openId,
    claims.expiresAt,
    claims.sessionId ?? randomBytes(16).toString('base64url'),
    claims.version ?? 0,
  ].join('.');
  const signature = new Keygrip([TEST_COOKIE_KEY], 'sha256').sign(`openId=${value}`);
  return `openId=${value}; openId.sig=${signature}`;
}

/** Make `openId` a user of this database, as a login would (nothing if it is one already). */
export async function ensureUser(db: Kysely<Database>, openId: string): Promise<void> {
  const nowIso = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      openid: openId,
      unionid: null,
      nickname: '',
      avatar_url: '',
      scope: 'snsapi_base',
      created_at: nowIso,
      updated_at: nowIso,
    })
    .onConflict((conflict) => conflict.column('openid').doNothing())
    .execute();
}

/**
 * A session of `openId` on `api` without the OAuth round trip: the user row a login would have written, and a
 * fresh session (new session id, the user's current session version) valid for an hour from `nowMs`.
 */
export async function sessionCookie(
  api: { deps: { db: Kysely<Database> } },
  openId: string,
  nowMs = Date.now(),
): Promise<string> {
  await ensureUser(api.deps.db, openId);
  const { session_version: version } = await api.deps.db
    .selectFrom('users')
    .select('session_version')
    .where('openid', '=', openId)
    .executeTakeFirstOrThrow();
  return signSessionCookie({ openId, expiresAt: Math.floor(nowMs / 1000) + 3600, version: Number(version) });
}

export interface PayNotifyOptions {
  outTradeNo: string;
  totalFee: number;
  transactionId?: string;
  key?: string;
  signType?: SignType;
  /** Send `sign_type` (default: only for HMAC-SHA256, as the emulator does). */
  declareSignType?: boolean;
  /** Fields to override or add AFTER defaults and BEFORE signing. */
  fields?: Record<string, string | number | undefined>;
  /** Replace the computed sign (undefined = keep). */
  sign?: string | null;
  openid?: string;
}

/** A pay notify as WeChat sends it, signed with `key` (default: the demo key) — wechat-core's builder. */
export function buildPayNotify(options: PayNotifyOptions): string {
  return buildV2PayNotify({
    appId: DEMO.appId,
    mchId: DEMO.mchId,
    key: options.key ?? DEMO.payKey,
    signType: options.signType ?? 'HMAC-SHA256',
    ...(options.declareSignType === undefined ? {} : { declareSignType: options.declareSignType }),
    openid: options.openid ?? 'oTestOpenid',
    totalFee: options.totalFee,
    transactionId:
      options.transactionId ?? `4200${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 28),
    outTradeNo: options.outTradeNo,
    ...(options.fields === undefined ? {} : { fields: options.fields }),
    ...(options.sign === undefined ? {} : { sign: options.sign }),
  });
}

export interface RefundNotifyOptions {
  outTradeNo: string;
  outRefundNo: string;
  refundFee: number;
  totalFee: number;
  status?: 'SUCCESS' | 'REFUNDCLOSE' | 'CHANGE';
  refundId?: string;
  key?: string;
}

export function buildRefundNotify(options: RefundNotifyOptions): string {
  return buildV2RefundNotify({
    appId: DEMO.appId,
    mchId: DEMO.mchId,
    key: options.key ?? DEMO.payKey,
    reqInfo: {
      transaction_id: '4200000000000000000000000001',
      out_trade_no: options.outTradeNo,
      refund_id: options.refundId ?? '50300100000000000000000000001',
      out_refund_no: options.outRefundNo,
      total_fee: options.totalFee,
      refund_fee: options.refundFee,
      settlement_refund_fee: options.refundFee,
      refund_status: options.status ?? 'SUCCESS',
      success_time: '2026-11-24 12:00:00',
      refund_recv_accout: '支付用户零钱',
      refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
      refund_request_source: 'API',
      cash_refund_fee: options.refundFee,
    },
  });
}

/**
 * A client acting as `openId`: every request carries a session cookie signed the way the api does, made at the
 * moment of the request from `now` (a test clock may have moved).
 */
export function clientAs(
  api: { url: string; deps: { db: Kysely<Database> } },
  openId: string,
  now: () => number = Date.now,
) {
  const client = createHttpClient(api.url);
  const cookie = () => sessionCookie(api, openId, now());
  return {
    get: async (path: string, headers: Record<string, string> = {}) =>
      client.get(path, { headers: { cookie: await cookie(), ...headers } }),
    post: async (path: string, json?: unknown, headers: Record<string, string> = {}) =>
      client.post(path, {
        headers: { cookie: await cookie(), ...headers },
        ...(json === undefined ? {} : { json }),
      }),
  };
}

/**
 * Place an order through the api as `openId` (POST payWallet); it must answer 200. Returns the answer's data.
 * `{amountFen}` alone buys the demo's custom-amount product (`tip`) for that amount, so a test picks its amounts;
 * a `PayWalletRequest` is sent as it is.
 */
export async function createOrderAs(
  api: { url: string; deps: { db: Kysely<Database> } },
  openId: string,
  order: { amountFen: number } | PayWalletRequest,
  now: () => number = Date.now,
): Promise<PayWalletResponse> {
  const body = 'productId' in order ? order : { productId: 'tip', amountFen: order.amountFen };
  const response = await clientAs(api, openId, now).post(ROUTES.payWallet, body);
  expect(response.status).toBe(200);
  return response.json<{ data: PayWalletResponse }>().data;
}

export interface XmlAnswer {
  status: number;
  contentType: string;
  text: string;
  returnCode: string | undefined;
}

export async function postXml(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<XmlAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    returnCode: /<return_code><!\[CDATA\[(\w+)\]\]><\/return_code>/.exec(text)?.[1],
  };
}

/**
 * Poll `read` until `done` holds, at most `attempts` times with `pauseMs` between (a bound on work, not an
 * assertion on time); returns the last value so the test asserts on it.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  attempts = 100,
  pauseMs = 50,
): Promise<T> {
  let value = await read();
  for (let i = 1; i < attempts && !done(value); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    value = await read();
  }
  return value;
}

export async function orderRow(db: Kysely<Database>, outTradeNo: string): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst();
}

export async function notificationsFor(db: Kysely<Database>, outTradeNo: string | null) {
  let query = db.selectFrom('pay_notifications').selectAll().orderBy('id', 'asc');
  query =
    outTradeNo === null
      ? query.where('out_trade_no', 'is', null)
      : query.where('out_trade_no', '=', outTradeNo);
  return query.execute();
}

/** Insert an order directly (for notify tests that need no WeChat round trip). */
export async function insertOrder(
  db: Kysely<Database>,
  values: {
    outTradeNo: string;
    openId?: string;
    amountFen: number;
    status?: OrderStatus;
    signType?: SignScheme;
    createdAt?: string;
  },
): Promise<void> {
  const createdAt = values.createdAt ?? new Date().toISOString();
  await db
    .insertInto('orders')
    .values({
      out_trade_no: values.outTradeNo,
      openid: values.openId ?? 'oTestOpenid',
      amount_fen: values.amountFen,
      description: 'test order',
      status: values.status ?? 'PENDING',
      sign_scheme: values.signType ?? 'HMAC-SHA256',
      client_ip: '127.0.0.1',
      prepay_id: null,
      prepay_expires_at: null,
      transaction_id: null,
      paid_at: null,
      refunded_fen: 0,
      created_at: createdAt,
      updated_at: createdAt,
    })
    .execute();
}

let counter = 0;
/** A unique out_trade_no-shaped id for direct inserts. */
export function testTradeNo(prefix = 'T'): string {
  counter += 1;
  return `${prefix}${Date.now()}${counter}${Math.floor(Math.random() * 1e6)}`.slice(0, 32);
}
