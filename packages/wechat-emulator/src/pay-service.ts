// What happens when a user pays (through the bridge's cashier or the control API) or a merchant refunds:
// the order changes state and a signed notify is queued for delivery. Shared by the Pay, bridge and control
// routes so each path pays the same way.
import { buildV2PayNotify, buildV2RefundNotify, formatPayTime } from '@wxh5/wechat-core';
import type { SignType } from '@wxh5/wechat-core';
import type { NotifyDelivery, NotifyJob } from './notify-delivery';
import { orderKey, randomDigits, randomToken } from './state';
import type { EmulatorMerchant, EmulatorOrder, EmulatorRefund, EmulatorState } from './state';
import { buildV3PayNotifyJob, buildV3RefundNotifyJob } from './v3/v3-notify';

/** Why the emulator refused to create, pay or refund; each protocol's routes map it to their own wire code. */
export type PayRefusal =
  | 'ORDERNOTEXIST'
  | 'ORDERPAID'
  | 'ORDERCLOSED'
  | 'NOMERCHANT'
  | 'OUT_TRADE_NO_USED'
  | 'REFUND_PARAMS_CHANGED'
  | 'ORDER_NOT_PAID'
  | 'REFUND_TOTAL_MISMATCH'
  | 'REFUND_EXCEEDS_TOTAL'
  | 'REFUND_COUNT_EXCEEDED';

export class PayOrderError extends Error {
  constructor(
    readonly code: PayRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'PayOrderError';
  }
}

/** A new order as a Pay API hands it over, already validated against that API's rules. */
export type NewOrder = Omit<
  EmulatorOrder,
  'prepayId' | 'tradeState' | 'createdAt' | 'transactionId' | 'paidAt' | 'refundedFee' | 'prepayExpiresAt'
> & {
  /** When the prepay_id (and the order's time to pay) runs out. */
  expiresAt: number;
};

export interface NewRefund {
  order: EmulatorOrder;
  /** Absent: API v2. */
  source?: 'v3' | 'console';
  outRefundNo: string;
  /** The order total the merchant believes in; must equal the order's. */
  totalFee: number;
  refundFee: number;
  refundDesc: string;
  /** Empty: the order's notify_url. */
  notifyUrl: string;
}

export interface PayService {
  /**
   * Places an order, or answers a re-submission: the same parameters while unpaid return the order (with a
   * fresh prepay_id once the old one has lived its 2 h); other parameters throw OUT_TRADE_NO_USED.
   */
  createOrder(input: NewOrder): EmulatorOrder;
  /**
   * Refunds (part of) a paid order and queues the refund notify. Retrying with the same out_refund_no and
   * amount returns the existing refund without a new one (`created: false`).
   */
  createRefund(input: NewRefund): { refund: EmulatorRefund; created: boolean };
  payOrder(order: EmulatorOrder): string;
  /** The order's pay notify: v2 XML, or v3 signed JSON for an order placed through API v3. */
  buildPayNotifyJob(order: EmulatorOrder): NotifyJob;
  queueRefundNotify(refund: EmulatorRefund): void;
  /** A merchant's order by out_trade_no, or by transaction_id (which only a paid order has). */
  findOrder(mchId: string, by: { outTradeNo: string } | { transactionId: string }): EmulatorOrder | undefined;
}

/** `4200000483202001042069747825`-like: 28 digits, the date in the middle, like WeChat's. */
function createTransactionId(now: number): string {
  return `420000${randomDigits(4)}${formatPayTime(new Date(now)).slice(0, 8)}${randomDigits(10)}`;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (refund notify `success_time`). */
export function formatSpacedPayTime(now: number): string {
  const compact = formatPayTime(new Date(now));
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)} ${compact.slice(8, 10)}:${compact.slice(10, 12)}:${compact.slice(12, 14)}`;
}

const MAX_REFUNDS_PER_ORDER = 50;

function createPrepayId(now: number): string {
  const stamp = formatPayTime(new Date(now));
  return `wx${stamp}${randomToken(20)
    .replace(/[^A-Za-z0-9]/g, '0')
    .toLowerCase()}`;
}

export function createPayService(
  state: EmulatorState,
  notifier: NotifyDelivery,
  random: () => number = Math.random,
): PayService {
  const v3Deps = { now: () => state.now(), random };

  function merchantOf(mchId: string): EmulatorMerchant {
    const merchant = state.merchants.get(mchId);
    if (!merchant) throw new PayOrderError('NOMERCHANT', `unknown merchant ${mchId}`);
    return merchant;
  }

  function merchantKey(mchId: string): string {
    return merchantOf(mchId).key;
  }

  function buildPayNotifyJob(order: EmulatorOrder): NotifyJob {
    if (order.signType === 'RSA') {
      const merchant = merchantOf(order.mchId);
      if (!merchant.v3)
        throw new PayOrderError('NOMERCHANT', `merchant ${order.mchId} has no API v3 material`);
      return buildV3PayNotifyJob({ ...merchant, v3: merchant.v3 }, order, v3Deps);
    }
    return buildV2PayNotifyJob(order, order.signType);
  }

  function buildV2PayNotifyJob(order: EmulatorOrder, signType: SignType): NotifyJob {
    // sign_type is sent for HMAC-SHA256 notifies (it is then part of the signed set); MD5 is WeChat's default.
    return {
      kind: 'pay',
      outTradeNo: order.outTradeNo,
      url: order.notifyUrl,
      body: buildV2PayNotify({
        appId: order.appId,
        mchId: order.mchId,
        key: merchantKey(order.mchId),
        signType,
        deviceInfo: order.deviceInfo,
        openid: order.openid,
        tradeType: order.tradeType,
        totalFee: order.totalFee,
        feeType: order.feeType,
        transactionId: order.transactionId ?? '',
        outTradeNo: order.outTradeNo,
        attach: order.attach,
        paidAt: new Date(order.paidAt ?? state.now()),
      }),
    };
  }

  function queueRefundNotify(refund: EmulatorRefund): void {
    if (refund.notifyUrl === '') return;
    const merchant = merchantOf(refund.mchId);
    // API v3 refunds notify in v3; console refunds too unless the merchant has a v2 key (then WeChat uses XML).
    const v3 = refund.source === 'v3' || (refund.source === 'console' && merchant.key === '');
    if (v3 && merchant.v3) {
      notifier.deliver(buildV3RefundNotifyJob({ ...merchant, v3: merchant.v3 }, refund, v3Deps));
      return;
    }
    // The outer refund notify carries no sign: decrypting req_info with the key authenticates it.
    notifier.deliver({
      kind: 'refund',
      outTradeNo: refund.outTradeNo,
      outRefundNo: refund.outRefundNo,
      url: refund.notifyUrl,
      body: buildV2RefundNotify({
        appId: refund.appId,
        mchId: refund.mchId,
        key: merchant.key,
        reqInfo: {
          transaction_id: refund.transactionId,
          out_trade_no: refund.outTradeNo,
          refund_id: refund.refundId,
          out_refund_no: refund.outRefundNo,
          total_fee: refund.totalFee,
          settlement_total_fee: refund.totalFee,
          refund_fee: refund.refundFee,
          settlement_refund_fee: refund.refundFee,
          refund_status: refund.status,
          success_time: formatSpacedPayTime(refund.successAt),
          refund_recv_accout: '支付用户零钱',
          refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
          refund_request_source: 'API',
          cash_refund_fee: refund.refundFee,
        },
      }),
    });
  }

  return {
    createOrder(input) {
      const now = state.now();
      const { expiresAt, ...fields } = input;
      const key = orderKey(input.mchId, input.outTradeNo);
      const existing = state.orders.get(key);
      if (existing) {
        if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') {
          throw new PayOrderError('ORDERPAID', '该订单已支付');
        }
        if (existing.tradeState === 'CLOSED') throw new PayOrderError('ORDERCLOSED', '该订单已关闭');
        if (existing.fingerprint !== input.fingerprint) {
          throw new PayOrderError('OUT_TRADE_NO_USED', '商户订单号重复');
        }
        // Same parameters while NOTPAY: the same prepay_id while it lives, a fresh one after 2 h.
        if (now >= existing.prepayExpiresAt) {
          existing.prepayId = createPrepayId(now);
          existing.prepayExpiresAt = expiresAt;
        }
        existing.signType = input.signType;
        return existing;
      }
      const order: EmulatorOrder = {
        ...fields,
        prepayId: createPrepayId(now),
        prepayExpiresAt: expiresAt,
        tradeState: 'NOTPAY',
        createdAt: now,
        refundedFee: 0,
      };
      state.orders.set(key, order);
      return order;
    },
    createRefund(input) {
      const { order } = input;
      const key = orderKey(order.mchId, input.outRefundNo);
      const existing = state.refunds.get(key);
      if (existing) {
        // Retrying with the same out_refund_no is how WeChat wants a refund retried: same answer, no new refund.
        if (existing.outTradeNo !== order.outTradeNo || existing.refundFee !== input.refundFee) {
          throw new PayOrderError('REFUND_PARAMS_CHANGED', '同一笔退款单号的退款参数与原请求不一致');
        }
        return { refund: existing, created: false };
      }
      if (order.transactionId === undefined) {
        throw new PayOrderError('ORDER_NOT_PAID', '订单未支付，不能退款');
      }
      if (input.totalFee !== order.totalFee) {
        throw new PayOrderError('REFUND_TOTAL_MISMATCH', '订单金额total_fee与原订单不一致');
      }
      if (order.refundedFee + input.refundFee > order.totalFee) {
        throw new PayOrderError('REFUND_EXCEEDS_TOTAL', '退款金额总和超过订单金额');
      }
      const refundCount = [...state.refunds.values()].filter(
        (refund) => refund.mchId === order.mchId && refund.outTradeNo === order.outTradeNo,
      ).length;
      if (refundCount >= MAX_REFUNDS_PER_ORDER) {
        throw new PayOrderError('REFUND_COUNT_EXCEEDED', '退款次数超过50次');
      }
      const now = state.now();
      const refund: EmulatorRefund = {
        mchId: order.mchId,
        appId: order.appId,
        outTradeNo: order.outTradeNo,
        transactionId: order.transactionId,
        outRefundNo: input.outRefundNo,
        refundId: createRefundId(now),
        totalFee: order.totalFee,
        refundFee: input.refundFee,
        refundDesc: input.refundDesc,
        notifyUrl: input.notifyUrl || order.notifyUrl,
        status: state.refundOutcome,
        ...(input.source === undefined ? {} : { source: input.source }),
        createdAt: now,
        successAt: now,
      };
      state.refunds.set(key, refund);
      // A refund that ends CLOSED or ABNORMAL gives nothing back (ABNORMAL needs the merchant to act).
      if (refund.status === 'SUCCESS') {
        order.refundedFee += input.refundFee;
        order.tradeState = 'REFUND';
      }
      queueRefundNotify(refund);
      return { refund, created: true };
    },
    payOrder(order) {
      if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') {
        throw new PayOrderError('ORDERPAID', '该订单已支付');
      }
      if (order.tradeState === 'CLOSED') throw new PayOrderError('ORDERCLOSED', '该订单已关闭');
      const now = state.now();
      order.tradeState = 'SUCCESS';
      order.transactionId = createTransactionId(now);
      order.paidAt = now;
      notifier.deliver(buildPayNotifyJob(order));
      return order.transactionId;
    },
    buildPayNotifyJob,
    queueRefundNotify,
    findOrder(mchId, by) {
      if ('outTradeNo' in by) return state.orders.get(orderKey(mchId, by.outTradeNo));
      return [...state.orders.values()].find(
        (order) => order.mchId === mchId && order.transactionId === by.transactionId,
      );
    },
  };
}

export function createRefundId(now: number): string {
  return `5030010${randomDigits(3)}${formatPayTime(new Date(now)).slice(0, 8)}${randomDigits(11)}`;
}
