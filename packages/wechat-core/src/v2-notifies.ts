import { buildXml, type XmlParams } from './build-xml';
import { createNonce } from './create-nonce';
import { formatPayTime } from './pay-time';
import { encryptRefundReqInfo } from './refund-req-info';
import { signV2, type SignType } from './sign-v2';

/** What a v2 payment notify (支付结果通知) says; the rest of its fields are WeChat's fixed values. */
export interface V2PayNotifyInput {
  appId: string;
  mchId: string;
  /** The merchant's API v2 key: signs the notify. */
  key: string;
  /** Default HMAC-SHA256. */
  signType?: SignType;
  /** Send `sign_type` (then part of the signed set). Default: for HMAC-SHA256 only, as WeChat does. */
  declareSignType?: boolean;
  openid: string;
  outTradeNo: string;
  transactionId: string;
  /** Fen. */
  totalFee: number;
  /** `time_end`. Default: now. */
  paidAt?: Date;
  /** Default 'JSAPI'. */
  tradeType?: string;
  /** Default 'CNY'. */
  feeType?: string;
  /** Left out when empty or absent, as WeChat does. */
  deviceInfo?: string;
  attach?: string;
  nonceStr?: string;
  /** Fields to add or override after WeChat's and before signing (`undefined` leaves a field out). */
  fields?: XmlParams;
  /** Replace the computed sign (a string), or send none (`null`): for tests of forged notifies. */
  sign?: string | null;
}

/**
 * A v2 payment notify as WeChat sends it (product.md §7.2): WeChat's field set, signed with the merchant key —
 * the one builder the emulator delivers and the tests forge with.
 */
export function buildV2PayNotify(input: V2PayNotifyInput): string {
  const signType = input.signType ?? 'HMAC-SHA256';
  const declare = input.declareSignType ?? signType === 'HMAC-SHA256';
  const fields: XmlParams = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: input.appId,
    mch_id: input.mchId,
    ...(input.deviceInfo ? { device_info: input.deviceInfo } : {}),
    nonce_str: input.nonceStr ?? createNonce(),
    ...(declare ? { sign_type: signType } : {}),
    result_code: 'SUCCESS',
    openid: input.openid,
    is_subscribe: 'N',
    trade_type: input.tradeType ?? 'JSAPI',
    bank_type: 'OTHERS',
    total_fee: input.totalFee,
    fee_type: input.feeType ?? 'CNY',
    cash_fee: input.totalFee,
    transaction_id: input.transactionId,
    out_trade_no: input.outTradeNo,
    ...(input.attach ? { attach: input.attach } : {}),
    time_end: formatPayTime(input.paidAt ?? new Date()),
    ...input.fields,
  };
  const sign = input.sign === undefined ? signV2(fields, input.key, signType) : input.sign;
  return buildXml({ ...fields, ...(sign === null ? {} : { sign }) });
}

/** What a v2 refund notify (退款结果通知) says; its `req_info` is encrypted with the merchant key. */
export interface V2RefundNotifyInput {
  appId: string;
  mchId: string;
  /** The merchant's API v2 key: encrypts `req_info` (which is what authenticates the notify; it has no sign). */
  key: string;
  /** The decrypted `req_info` fields (transaction_id, out_trade_no, refund_id, out_refund_no, fees, status, …). */
  reqInfo: XmlParams;
  nonceStr?: string;
}

/** A v2 refund notify as WeChat sends it: the outer message carries no sign, `req_info` is AES-256-ECB. */
export function buildV2RefundNotify(input: V2RefundNotifyInput): string {
  return buildXml({
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: input.appId,
    mch_id: input.mchId,
    nonce_str: input.nonceStr ?? createNonce(),
    req_info: encryptRefundReqInfo(input.reqInfo, input.key),
  });
}
