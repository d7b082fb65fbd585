import { buildJsapiPayParams, formatPayTime, parsePayTime, parseXml } from '@wxh5/wechat-core';
import type { Logger } from 'pino';
import { isRefused } from '../../../shared/wechat-error';
import type { OrderAtWechat, PayGateway } from '../pay-gateway';
import type { PayClient, TradeState } from './pay-client';
import { buildV2NotifyReply } from './v2-notify-replies';
import {
  V2_REFUND_OUTCOMES,
  readV2PayNotice,
  readV2RefundNotice,
  type V2NoticeOptions,
} from './read-v2-notices';

/** v2 `trade_state` → the domain's view of the order. */
const TRADE_STATES = {
  SUCCESS: 'paid',
  REFUND: 'paid',
  NOTPAY: 'open',
  USERPAYING: 'open',
  // PAYERROR (the bank refused one attempt) is not a closed order at WeChat: closing it only here would turn a
  // later successful attempt into a payment for a CLOSED order. It expires like any unpaid order.
  PAYERROR: 'open',
  CLOSED: 'closed',
  REVOKED: 'closed',
} as const satisfies Record<TradeState, OrderAtWechat['state']>;

function isTradeState(value: string): value is TradeState {
  return Object.hasOwn(TRADE_STATES, value);
}

function readTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return parsePayTime(value).toISOString();
  } catch {
    return undefined;
  }
}

export interface V2GatewayOptions {
  appId: string;
  mchId: string;
  /** The 32-char API v2 key. */
  key: string;
  /** The client that retries (orders, refunds, the sweep). */
  client: PayClient;
  /** A client that tries once (the status route: a user is waiting). Default: `client`. */
  onceClient?: PayClient;
  logger: Logger;
}

/**
 * WeChat Pay API v2 behind the `PayGateway` port: XML over HTTPS signed with the API key (MD5 or HMAC-SHA256),
 * notifies in XML (the payment notify signed, the refund notify encrypted), replies in XML.
 */
export function createV2Gateway(options: V2GatewayOptions): PayGateway {
  const { client } = options;
  const onceClient = options.onceClient ?? client;
  const notices: V2NoticeOptions = {
    appId: options.appId,
    mchId: options.mchId,
    key: options.key,
    signType: client.signType,
    logger: options.logger,
  };

  return {
    protocol: 'v2',
    signScheme: client.signType,
    signSchemes: ['MD5', 'HMAC-SHA256'],
    // v2 notifies are XML documents; v3's are JSON.
    recognises: (notify) => notify.rawBody.trimStart().startsWith('<'),
    // A refund notify has an encrypted req_info and no sign; a payment notify always has a sign.
    carriesRefund(notify) {
      // An element is named in the text as written (XML has no escape for a tag name): without `<req_info` there
      // is none, and the payment notify is not parsed twice (the parse is most of a notify's CPU).
      if (!notify.rawBody.includes('<req_info')) return false;
      try {
        const fields = parseXml(notify.rawBody);
        return fields['req_info'] !== undefined && fields['sign'] === undefined;
      } catch {
        return false;
      }
    },

    async prepay(request) {
      const { prepayId } = await client.unifiedOrder({
        outTradeNo: request.outTradeNo,
        amountFen: request.amountFen,
        description: request.description,
        openId: request.openId,
        clientIp: request.clientIp,
        notifyUrl: request.notifyUrl,
        // yyyyMMddHHmmss, Beijing time.
        timeStart: formatPayTime(new Date(request.createdAtMs)),
        timeExpire: formatPayTime(new Date(request.expiresAtMs)),
      });
      return { prepayId, signScheme: client.signType };
    },

    async queryOrder(outTradeNo, queryOptions) {
      let answer;
      try {
        answer = await (queryOptions?.once ? onceClient : client).orderQuery(outTradeNo);
      } catch (err) {
        if (isRefused(err, 'ORDERNOTEXIST')) return { state: 'unknown' };
        throw err;
      }
      // An unknown future trade_state is not a crash: the order is treated as still open.
      const state = isTradeState(answer.tradeState) ? TRADE_STATES[answer.tradeState] : 'open';
      if (state !== 'paid') return { state };
      return {
        state,
        transactionId: answer.transactionId,
        amountFen: answer.amountFen,
        paidAt: readTime(answer.timeEnd),
      };
    },

    async closeOrder(outTradeNo) {
      try {
        await client.closeOrder(outTradeNo);
        return 'closed';
      } catch (err) {
        if (isRefused(err, 'ORDERPAID')) return 'paid';
        if (isRefused(err, 'ORDERCLOSED')) return 'already_closed';
        if (isRefused(err, 'ORDERNOTEXIST')) return 'unknown';
        throw err;
      }
    },

    async refund(request) {
      const { refundId } = await client.refund(request);
      return { refundId };
    },

    async queryRefund(outRefundNo) {
      let items;
      try {
        items = await client.refundQuery(outRefundNo);
      } catch (err) {
        if (isRefused(err, 'REFUNDNOTEXIST')) return { state: 'unknown' };
        throw err;
      }
      const item = items.find((candidate) => candidate.outRefundNo === outRefundNo);
      const outcome = item ? V2_REFUND_OUTCOMES[item.refundStatus] : undefined;
      if (!item || !outcome) return { state: 'processing' };
      return { state: 'done', outcome, refundId: item.refundId };
    },

    readPayNotice: (notify) => Promise.resolve(readV2PayNotice(notices, notify.rawBody)),
    readRefundNotice: (notify) => Promise.resolve(readV2RefundNotice(notices, notify.rawBody)),

    acknowledge: buildV2NotifyReply,

    payParams(prepay, nowMs) {
      return buildJsapiPayParams({
        appId: options.appId,
        prepayId: prepay.prepayId,
        key: options.key,
        // A prepay made under an earlier sign type keeps it (the cashier checks it against the prepay's).
        signType:
          prepay.signScheme === 'MD5' || prepay.signScheme === 'HMAC-SHA256'
            ? prepay.signScheme
            : client.signType,
        timeStamp: Math.floor(nowMs / 1000),
      });
    },
  };
}
