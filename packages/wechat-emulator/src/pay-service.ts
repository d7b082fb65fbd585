// What happens when a user pays (through the bridge's cashier or the control API) or a merchant refunds:
// the order changes state and a signed notify is queued for delivery. Shared by the Pay, bridge and control
// routes so each path pays the same way.
import { buildXml, createNonce, encryptRefundReqInfo, formatPayTime, signV2 } from '@wxh5/wechat-core';
import type { NotifyDelivery, NotifyJob } from './notify-delivery';
import { randomDigits } from './state';
import type { EmulatorOrder, EmulatorRefund, EmulatorState } from './state';

export class PayOrderError extends Error {
  constructor(
    readonly code: 'ORDERNOTEXIST' | 'ORDERPAID' | 'ORDERCLOSED' | 'NOMERCHANT',
    message: string,
  ) {
    super(message);
    this.name = 'PayOrderError';
  }
}

export interface PayService {
  payOrder(order: EmulatorOrder): string;
  buildPayNotifyJob(order: EmulatorOrder): NotifyJob;
  queueRefundNotify(refund: EmulatorRefund): void;
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

export function createPayService(state: EmulatorState, notifier: NotifyDelivery): PayService {
  function merchantKey(mchId: string): string {
    const merchant = state.merchants.get(mchId);
    if (!merchant) throw new PayOrderError('NOMERCHANT', `unknown merchant ${mchId}`);
    return merchant.key;
  }

  function buildPayNotifyJob(order: EmulatorOrder): NotifyJob {
    // sign_type is sent for HMAC-SHA256 notifies (it is then part of the signed set); MD5 is WeChat's default.
    const fields: Record<string, string | number> = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: order.appId,
      mch_id: order.mchId,
      ...(order.deviceInfo === '' ? {} : { device_info: order.deviceInfo }),
      nonce_str: createNonce(),
      ...(order.signType === 'HMAC-SHA256' ? { sign_type: 'HMAC-SHA256' } : {}),
      result_code: 'SUCCESS',
      openid: order.openid,
      is_subscribe: 'N',
      trade_type: order.tradeType,
      bank_type: 'OTHERS',
      total_fee: order.totalFee,
      fee_type: order.feeType,
      cash_fee: order.totalFee,
      transaction_id: order.transactionId ?? '',
      out_trade_no: order.outTradeNo,
      ...(order.attach === '' ? {} : { attach: order.attach }),
      time_end: formatPayTime(new Date(order.paidAt ?? state.now())),
    };
    const sign = signV2(fields, merchantKey(order.mchId), order.signType);
    return {
      kind: 'pay',
      outTradeNo: order.outTradeNo,
      url: order.notifyUrl,
      body: buildXml({ ...fields, sign }),
    };
  }

  return {
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
    queueRefundNotify(refund) {
      if (refund.notifyUrl === '') return;
      const key = merchantKey(refund.mchId);
      const reqInfo = encryptRefundReqInfo(
        {
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
        key,
      );
      // The outer refund notify carries no sign: decrypting req_info with the key authenticates it.
      notifier.deliver({
        kind: 'refund',
        outTradeNo: refund.outTradeNo,
        outRefundNo: refund.outRefundNo,
        url: refund.notifyUrl,
        body: buildXml({
          return_code: 'SUCCESS',
          return_msg: 'OK',
          appid: refund.appId,
          mch_id: refund.mchId,
          nonce_str: createNonce(),
          req_info: reqInfo,
        }),
      });
    },
  };
}

export function createRefundId(now: number): string {
  return `5030010${randomDigits(3)}${formatPayTime(new Date(now)).slice(0, 8)}${randomDigits(11)}`;
}
