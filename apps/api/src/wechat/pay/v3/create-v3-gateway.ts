import type { KeyObject } from 'node:crypto';
import { buildJsapiPayParamsV3 } from '@wxh5/wechat-core';
import { WechatBadResponseError, isRefused } from '../../../shared/wechat-error';
import type { OrderAtWechat, PayGateway } from '../pay-gateway';
import {
  readV3PayNotice,
  readV3RefundNotice,
  refundOutcomeOf,
  type V3NoticeOptions,
} from './read-v3-notices';
import type { V3Answer, V3Client, WechatpayKeys } from './v3-client';
import { buildV3NotifyReply } from './v3-notify-replies';

/** v3 `trade_state` → the domain's view of the order (USERPAYING, 202-style, is a state: still open). */
type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
const TRADE_STATES = {
  SUCCESS: 'paid',
  REFUND: 'paid',
  NOTPAY: 'open',
  USERPAYING: 'open',
  // As in v2: one refused attempt at the bank does not close the order at WeChat.
  PAYERROR: 'open',
  CLOSED: 'closed',
  REVOKED: 'closed',
} as const satisfies Record<TradeState, OrderAtWechat['state']>;

/** "No such order / refund" in v3 (RESOURCE_NOT_EXISTS in the docs, ORDER_NOT_EXIST in older answers). */
const NOT_FOUND = ['RESOURCE_NOT_EXISTS', 'ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'NOT_FOUND'];

/** `description` is string[1,127] in UTF-8 bytes under v3 (the api allows 128): cut on a character boundary. */
function clipBytes(value: string, maxBytes: number): string {
  let out = '';
  for (const char of value) {
    if (Buffer.byteLength(out + char, 'utf8') > maxBytes) break;
    out += char;
  }
  return out;
}

/** RFC 3339 in Beijing time (`2026-12-02T18:30:00+08:00`), as WeChat writes and expects times. */
function beijingTime(ms: number): string {
  const shifted = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600 * 1000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

function isoOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function field(answer: V3Answer, name: string): unknown {
  return answer.body?.[name];
}

export interface V3GatewayOptions {
  appId: string;
  mchId: string;
  apiV3Key: string;
  merchantPrivateKey: KeyObject;
  keys: WechatpayKeys;
  /** The client that retries (orders, refunds, the sweep). */
  client: V3Client;
  /** One attempt only (the status route). Default: `client`. */
  onceClient?: V3Client;
}

/**
 * WeChat Pay API v3 behind the `PayGateway` port: JSON signed with the merchant's RSA key, answers and notifies
 * verified with WeChat's public key and/or platform certificates, notify resources decrypted with the APIv3 key,
 * JSON acknowledgements, RSA pay params. Its orders carry the sign scheme `RSA`.
 */
export function createV3Gateway(options: V3GatewayOptions): PayGateway {
  const { client, mchId } = options;
  const onceClient = options.onceClient ?? client;
  const notices: V3NoticeOptions = {
    appId: options.appId,
    mchId,
    apiV3Key: options.apiV3Key,
    verifier: () => options.keys.verifier(),
  };
  const orderPath = (outTradeNo: string) =>
    `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}`;

  return {
    protocol: 'v3',
    signScheme: 'RSA',
    signSchemes: ['RSA'],
    // v3 notifies are JSON (signed in the Wechatpay-* headers); v2's are XML.
    recognises: (notify) =>
      notify.rawBody.trimStart().startsWith('{') || notify.headers['wechatpay-signature'] !== undefined,
    carriesRefund(notify) {
      try {
        const envelope = JSON.parse(notify.rawBody) as { event_type?: unknown } | null;
        return typeof envelope?.event_type === 'string' && envelope.event_type.startsWith('REFUND.');
      } catch {
        return false;
      }
    },

    async prepay(request) {
      const endpoint = '/v3/pay/transactions/jsapi';
      const answer = await client.call({
        method: 'POST',
        path: endpoint,
        endpoint,
        // Every field derives from the stored order, so a re-entered order repeats its parameters exactly.
        body: {
          appid: options.appId,
          mchid: mchId,
          description: clipBytes(request.description, 127),
          out_trade_no: request.outTradeNo,
          time_expire: beijingTime(request.expiresAtMs),
          notify_url: request.notifyUrl,
          amount: { total: request.amountFen, currency: 'CNY' },
          payer: { openid: request.openId },
          scene_info: { payer_client_ip: request.clientIp },
        },
      });
      const prepayId = field(answer, 'prepay_id');
      if (typeof prepayId !== 'string' || prepayId === '') {
        throw new WechatBadResponseError(endpoint, 'no prepay_id in a successful answer');
      }
      return { prepayId, signScheme: 'RSA' };
    },

    async queryOrder(outTradeNo, queryOptions) {
      const endpoint = '/v3/pay/transactions/out-trade-no/{out_trade_no}';
      let answer: V3Answer;
      try {
        answer = await (queryOptions?.once ? onceClient : client).call({
          method: 'GET',
          path: `${orderPath(outTradeNo)}?mchid=${encodeURIComponent(mchId)}`,
          endpoint,
        });
      } catch (err) {
        if (isRefused(err, ...NOT_FOUND)) return { state: 'unknown' };
        throw err;
      }
      if (field(answer, 'out_trade_no') !== outTradeNo) {
        throw new WechatBadResponseError(endpoint, 'the answer is about another out_trade_no');
      }
      if (field(answer, 'mchid') !== mchId || field(answer, 'appid') !== options.appId) {
        throw new WechatBadResponseError(endpoint, 'the answer is for another mchid or appid');
      }
      const tradeState = field(answer, 'trade_state');
      // An unknown future trade_state is not a crash: the order is treated as still open.
      const state =
        typeof tradeState === 'string' && Object.hasOwn(TRADE_STATES, tradeState)
          ? TRADE_STATES[tradeState as TradeState]
          : 'open';
      if (state !== 'paid') return { state };
      const amount = field(answer, 'amount') as { total?: unknown } | undefined;
      const transactionId = field(answer, 'transaction_id');
      return {
        state,
        transactionId: typeof transactionId === 'string' && transactionId !== '' ? transactionId : undefined,
        amountFen: typeof amount?.total === 'number' ? amount.total : undefined,
        paidAt: isoOf(field(answer, 'success_time')),
      };
    },

    async closeOrder(outTradeNo) {
      try {
        // 204 No Content (again 204 for a closed one), verified like any answer.
        await client.call({
          method: 'POST',
          path: `${orderPath(outTradeNo)}/close`,
          endpoint: '/v3/pay/transactions/out-trade-no/{out_trade_no}/close',
          body: { mchid: mchId },
        });
        return 'closed';
      } catch (err) {
        if (isRefused(err, 'ORDERPAID', 'ORDER_PAID', 'TRADE_ERROR')) return 'paid';
        if (isRefused(err, 'ORDER_CLOSED', 'ORDERCLOSED')) return 'already_closed';
        if (isRefused(err, ...NOT_FOUND)) return 'unknown';
        throw err;
      }
    },

    async refund(request) {
      const endpoint = '/v3/refund/domestic/refunds';
      const answer = await client.call({
        method: 'POST',
        path: endpoint,
        endpoint,
        body: {
          out_trade_no: request.outTradeNo,
          out_refund_no: request.outRefundNo,
          ...(request.reason ? { reason: request.reason } : {}),
          notify_url: request.notifyUrl,
          amount: { refund: request.refundFen, total: request.totalFen, currency: 'CNY' },
        },
      });
      const refundId = field(answer, 'refund_id');
      if (typeof refundId !== 'string' || refundId === '') {
        throw new WechatBadResponseError(endpoint, 'no refund_id in a successful answer');
      }
      if (field(answer, 'out_refund_no') !== request.outRefundNo) {
        throw new WechatBadResponseError(endpoint, 'the answer is about another out_refund_no');
      }
      return { refundId };
    },

    async queryRefund(outRefundNo) {
      const endpoint = '/v3/refund/domestic/refunds/{out_refund_no}';
      let answer: V3Answer;
      try {
        answer = await client.call({
          method: 'GET',
          path: `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
          endpoint,
        });
      } catch (err) {
        if (isRefused(err, ...NOT_FOUND)) return { state: 'unknown' };
        throw err;
      }
      if (field(answer, 'out_refund_no') !== outRefundNo) {
        throw new WechatBadResponseError(endpoint, 'the answer is about another out_refund_no');
      }
      const outcome = refundOutcomeOf(field(answer, 'status'));
      if (!outcome) return { state: 'processing' };
      const refundId = field(answer, 'refund_id');
      return { state: 'done', outcome, refundId: typeof refundId === 'string' ? refundId : undefined };
    },

    readPayNotice: (notify) => readV3PayNotice(notices, notify),
    readRefundNotice: (notify) => readV3RefundNotice(notices, notify),

    acknowledge: buildV3NotifyReply,

    payParams(prepay, nowMs) {
      return buildJsapiPayParamsV3({
        appId: options.appId,
        prepayId: prepay.prepayId,
        privateKey: options.merchantPrivateKey,
        timeStamp: Math.floor(nowMs / 1000),
      });
    },
  };
}
