import {
  RefundDecryptError,
  XmlParseError,
  decryptRefundReqInfo,
  parsePayTime,
  parseXml,
  verifyV2,
  type SignType,
  type XmlParseErrorReason,
} from '@wxh5/wechat-core';
import type { Logger } from 'pino';
import type {
  BodyVerdict,
  NoticeIds,
  NoticeReading,
  PayNotice,
  PayNoticeRejection,
  RefundNotice,
  RefundNoticeRejection,
  RefundOutcome,
} from '../pay-gateway';
import { notifySignType } from './notify-sign-type';

/** parseXml's refusals as verdicts (stable values: they are in the audit trail). */
const XML_VERDICTS = {
  doctype: 'doctype',
  entity: 'entity',
  not_string: 'xml_not_string',
  empty: 'xml_empty',
  too_large: 'xml_too_large',
  instruction: 'xml_instruction',
  not_well_formed: 'xml_not_well_formed',
  wrong_root: 'xml_wrong_root',
  nested: 'xml_nested',
  attributes: 'xml_attributes',
  duplicate: 'xml_duplicate',
} satisfies Record<XmlParseErrorReason, BodyVerdict>;

/** v2 `refund_status` → the outcome it means; PROCESSING is none yet. */
export type V2RefundStatus = 'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE';
export const V2_REFUND_OUTCOMES = {
  SUCCESS: 'SUCCESS',
  REFUNDCLOSE: 'CLOSED',
  CHANGE: 'ABNORMAL',
  PROCESSING: undefined,
} as const satisfies Record<V2RefundStatus, RefundOutcome | undefined>;

const INTEGER = /^\d{1,12}$/;

type Parsed = { ok: true; fields: Record<string, string> } | { ok: false; verdict: BodyVerdict };

function parse(rawBody: string): Parsed {
  try {
    return { ok: true, fields: parseXml(rawBody) };
  } catch (error) {
    if (error instanceof XmlParseError) return { ok: false, verdict: XML_VERDICTS[error.reason] };
    throw error;
  }
}

export interface V2NoticeOptions {
  appId: string;
  mchId: string;
  /** The API v2 key: verifies pay notifies, decrypts refund notifies. */
  key: string;
  /** The configured sign type: the last resort of `notifySignType`. */
  signType: SignType;
  logger: Logger;
}

/**
 * The v2 payment notify (product.md §7): parsed with wechat-core's strict XML parser, `return_code`, then the sign
 * (constant time, with the scheme the notify declares or implies), then appid/mch_id, then `result_code` and the
 * fields the business code needs. What comes out is a verified fact, or a rejection verdict with the ids it carried.
 */
export function readV2PayNotice(
  options: V2NoticeOptions,
  rawBody: string,
): NoticeReading<PayNotice, PayNoticeRejection> {
  const parsed = parse(rawBody);
  if (!parsed.ok) return { ok: false, verdict: parsed.verdict, ids: {} };
  const { fields } = parsed;
  const outTradeNo = fields['out_trade_no'];
  const transactionId = fields['transaction_id'];
  const ids: NoticeIds = {
    ...(outTradeNo ? { outTradeNo: outTradeNo.slice(0, 64) } : {}),
    ...(transactionId ? { transactionId: transactionId.slice(0, 64) } : {}),
  };
  const reject = (verdict: PayNoticeRejection) => ({ ok: false as const, verdict, ids });
  if (fields['return_code'] !== 'SUCCESS') return reject('return_fail');
  if (!fields['sign']) return reject('missing_sign');
  const signType = notifySignType(fields, options.signType);
  if (signType === null) return reject('bad_sign_type');
  // verifyV2 compares in constant time (timingSafeEqual over the hex).
  if (!verifyV2(fields, options.key, signType)) return reject('bad_signature');
  if (fields['appid'] !== options.appId) return reject('wrong_appid');
  if (fields['mch_id'] !== options.mchId) return reject('wrong_mch_id');
  if (fields['result_code'] !== 'SUCCESS') return { ok: true, notice: { outcome: 'failed', ids } };
  if (!outTradeNo || !transactionId || !INTEGER.test(fields['total_fee'] ?? ''))
    return reject('missing_fields');
  let paidAt: string | undefined;
  const timeEnd = fields['time_end'];
  if (timeEnd) {
    try {
      paidAt = parsePayTime(timeEnd).toISOString();
    } catch {
      options.logger.warn({ outTradeNo, timeEnd }, 'notify time_end unreadable; using the receive time');
    }
  }
  return {
    ok: true,
    notice: {
      outcome: 'paid',
      outTradeNo,
      transactionId,
      amountFen: Number(fields['total_fee']),
      paidAt,
      payerOpenId: fields['openid'],
      signScheme: signType,
    },
  };
}

/**
 * The v2 refund notify. The outer XML carries no `sign`: decrypting `req_info` with our API key (AES-256-ECB,
 * key = md5(API key) as lowercase hex) is what authenticates it.
 */
export function readV2RefundNotice(
  options: V2NoticeOptions,
  rawBody: string,
): NoticeReading<RefundNotice, RefundNoticeRejection> {
  const parsed = parse(rawBody);
  if (!parsed.ok) return { ok: false, verdict: parsed.verdict, ids: {} };
  const outer = parsed.fields;
  const reject = (verdict: RefundNoticeRejection, ids: NoticeIds = {}) => ({
    ok: false as const,
    verdict,
    ids,
  });
  if (outer['return_code'] !== 'SUCCESS') return reject('return_fail');
  if (outer['appid'] !== options.appId) return reject('wrong_appid');
  if (outer['mch_id'] !== options.mchId) return reject('wrong_mch_id');
  let info: Record<string, string>;
  try {
    info = decryptRefundReqInfo(outer['req_info'] ?? '', options.key);
  } catch (error) {
    if (error instanceof RefundDecryptError) return reject('bad_req_info');
    throw error;
  }
  const outRefundNo = info['out_refund_no'];
  const outTradeNo = info['out_trade_no'];
  const refundStatus = info['refund_status'];
  const refundId = info['refund_id'];
  const ids: NoticeIds = {
    ...(outTradeNo ? { outTradeNo } : {}),
    ...(refundId ? { transactionId: refundId } : {}),
  };
  if (!outRefundNo || !outTradeNo || !refundStatus || !INTEGER.test(info['refund_fee'] ?? '')) {
    return reject('missing_fields', ids);
  }
  const known = refundStatus === 'SUCCESS' || refundStatus === 'REFUNDCLOSE' || refundStatus === 'CHANGE';
  return {
    ok: true,
    notice: {
      outRefundNo,
      outTradeNo,
      refundId,
      amountFen: Number(info['refund_fee']),
      outcome: known ? V2_REFUND_OUTCOMES[refundStatus] : undefined,
    },
  };
}
