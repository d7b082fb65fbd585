// API v3 notifies as WeChat sends them: JSON whose `resource` is the Transaction / Refund encrypted with the
// APIv3 key (AEAD_AES_256_GCM), and `Wechatpay-*` headers signed afresh on every delivery by the key the
// merchant's verification mode says (in migrating mode the public key signs `publicKeyShare` of them).
import { randomUUID } from 'node:crypto';
import { V3_AUTH_SCHEME, encryptAeadAesGcm, signWechatpayMessage } from '@wxh5/wechat-core';
import type { NotifyJob, SignedNotifyHeaders } from '../notify-delivery';
import type { EmulatorMerchant, EmulatorOrder, EmulatorRefund, RefundStatus } from '../state';
import { formatRfc3339 } from './rfc3339';
import { notifySigningKey } from './wechatpay-keys';
import type { MerchantV3 } from './wechatpay-keys';

export interface V3NotifyDeps {
  now: () => number;
  random: () => number;
}

const REFUND_SUMMARY: Record<RefundStatus, string> = {
  SUCCESS: '退款成功',
  ABNORMAL: '退款异常',
  CLOSED: '退款关闭',
};

/** The Transaction object of v3 queries and of the TRANSACTION.SUCCESS resource. */
export function describeTransaction(order: EmulatorOrder): Record<string, unknown> {
  const paid = order.transactionId !== undefined;
  return {
    appid: order.appId,
    mchid: order.mchId,
    out_trade_no: order.outTradeNo,
    ...(paid ? { transaction_id: order.transactionId } : {}),
    trade_type: order.tradeType,
    trade_state: order.tradeState,
    trade_state_desc: TRADE_STATE_DESC[order.tradeState],
    ...(paid ? { bank_type: 'OTHERS' } : {}),
    attach: order.attach,
    ...(paid && order.paidAt !== undefined ? { success_time: formatRfc3339(order.paidAt) } : {}),
    payer: { openid: order.openid },
    amount: {
      total: order.totalFee,
      ...(paid ? { payer_total: order.totalFee } : {}),
      currency: order.feeType,
      payer_currency: order.feeType,
    },
  };
}

export const TRADE_STATE_DESC: Record<EmulatorOrder['tradeState'], string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '转入退款',
};

/** The Refund object of v3 refund answers and queries. */
export function describeRefund(refund: EmulatorRefund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.status === 'SUCCESS' ? { success_time: formatRfc3339(refund.successAt) } : {}),
    create_time: formatRfc3339(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.totalFee,
      refund: refund.refundFee,
      payer_total: refund.totalFee,
      payer_refund: refund.refundFee,
      settlement_refund: refund.refundFee,
      settlement_total: refund.totalFee,
      discount_refund: 0,
      currency: 'CNY',
    },
  };
}

function signer(v3: MerchantV3, body: string, deps: V3NotifyDeps): (probe: boolean) => SignedNotifyHeaders {
  return (probe) => {
    const key = notifySigningKey(v3, deps.random);
    const headers = signWechatpayMessage({
      privateKey: key.privateKey,
      serial: key.serial,
      body,
      timestamp: Math.floor(deps.now() / 1000),
      probe,
    });
    return {
      headers: { ...headers, 'Wechatpay-Signature-Type': V3_AUTH_SCHEME, 'Request-ID': randomUUID() },
      signedBy: key.serial,
    };
  };
}

function notifyBody(
  v3: MerchantV3,
  eventType: string,
  summary: string,
  originalType: 'transaction' | 'refund',
  plaintext: Record<string, unknown>,
  now: number,
): string {
  return JSON.stringify({
    id: randomUUID(),
    create_time: formatRfc3339(now),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary,
    resource: {
      original_type: originalType,
      ...encryptAeadAesGcm(JSON.stringify(plaintext), v3.apiV3Key, { associatedData: originalType }),
    },
  });
}

export function buildV3PayNotifyJob(
  merchant: EmulatorMerchant & { v3: MerchantV3 },
  order: EmulatorOrder,
  deps: V3NotifyDeps,
): NotifyJob {
  const body = notifyBody(
    merchant.v3,
    'TRANSACTION.SUCCESS',
    '支付成功',
    'transaction',
    describeTransaction(order),
    deps.now(),
  );
  return {
    kind: 'pay',
    api: 'v3',
    outTradeNo: order.outTradeNo,
    url: order.notifyUrl,
    body,
    sign: signer(merchant.v3, body, deps),
  };
}

export function buildV3RefundNotifyJob(
  merchant: EmulatorMerchant & { v3: MerchantV3 },
  refund: EmulatorRefund,
  deps: V3NotifyDeps,
): NotifyJob {
  const plaintext = {
    mchid: refund.mchId,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    refund_status: refund.status,
    ...(refund.status === 'SUCCESS' ? { success_time: formatRfc3339(refund.successAt) } : {}),
    user_received_account: '支付用户零钱',
    amount: {
      total: refund.totalFee,
      refund: refund.refundFee,
      payer_total: refund.totalFee,
      payer_refund: refund.refundFee,
    },
  };
  const body = notifyBody(
    merchant.v3,
    `REFUND.${refund.status}`,
    REFUND_SUMMARY[refund.status],
    'refund',
    plaintext,
    deps.now(),
  );
  return {
    kind: 'refund',
    api: 'v3',
    outTradeNo: refund.outTradeNo,
    outRefundNo: refund.outRefundNo,
    url: refund.notifyUrl,
    body,
    sign: signer(merchant.v3, body, deps),
  };
}
