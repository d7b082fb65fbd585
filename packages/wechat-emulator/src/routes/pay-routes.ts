// WeChat Pay API v2 as api.mch.weixin.qq.com answers it: XML over POST, strict validation, signatures
// checked with the merchant key and the declared sign_type (MD5 when absent), responses signed back.
// Two tiers like WeChat: return_code FAIL when the request cannot be read or authenticated (bad XML,
// unknown merchant, bad sign), result_code FAIL with an err_code for business errors (signed).
import { isIP } from 'node:net';
import { Router } from '@koa/router';
import type { ParameterizedContext } from 'koa';
import {
  XmlParseError,
  buildXml,
  createNonce,
  formatPayTime,
  isSignType,
  parsePayTime,
  parseXml,
  signV2,
  verifyV2,
} from '@wxh5/wechat-core';
import type { SignType } from '@wxh5/wechat-core';
import type { FaultState } from '../http/apply-faults';
import { BodyNotUtf8Error, readRawBody } from '../http/read-body';
import { PayOrderError, formatSpacedPayTime } from '../pay-service';
import type { PayRefusal, PayService } from '../pay-service';
import { findUserByOpenid, orderKey } from '../state';
import type { EmulatorMerchant, EmulatorOrder, EmulatorRefund, EmulatorState } from '../state';

const PREPAY_TTL_MS = 2 * 3600 * 1000;
const SIGN_ERROR_MSG = '签名错误，请检查后再试';
const MAX_BODY_BYTES = 64 * 1024;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*@]{1,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const POSITIVE_INT = /^[1-9][0-9]{0,11}$/;
const PAY_TIME = /^\d{14}$/;
const TRADE_TYPES = ['JSAPI', 'NATIVE', 'APP', 'MWEB'];

type Fields = Record<string, string>;
type PayCtx = ParameterizedContext<FaultState>;

interface BusinessError {
  errCode: string;
  errCodeDes: string;
}

interface Authenticated {
  fields: Fields;
  merchant: EmulatorMerchant;
  signType: SignType;
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function sendXml(ctx: PayCtx, xml: string): void {
  ctx.status = 200;
  ctx.type = 'text/xml; charset=utf-8';
  ctx.body = xml;
}

function sendProtocolFail(ctx: PayCtx, message: string): void {
  sendXml(ctx, buildXml({ return_code: 'FAIL', return_msg: message }));
}

function lack(name: string): BusinessError {
  return { errCode: 'LACK_PARAMS', errCodeDes: `缺少参数${name}` };
}

function paramError(message: string): BusinessError {
  return { errCode: 'PARAM_ERROR', errCodeDes: message };
}

/** First missing required field, then per-field UTF-8 byte limits (WeChat's String(n)). */
function checkFields(
  fields: Fields,
  required: readonly string[],
  limits: Record<string, number>,
): BusinessError | null {
  for (const name of required) {
    if ((fields[name] ?? '') === '') return lack(name);
  }
  for (const [name, limit] of Object.entries(limits)) {
    const value = fields[name];
    if (value !== undefined && byteLength(value) > limit) return paramError(`${name}参数长度有误`);
  }
  return null;
}

function checkNotifyUrl(value: string): BusinessError | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return paramError('notify_url参数格式错误');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return paramError('notify_url参数格式错误');
  // WeChat calls notify_url exactly as given and forbids parameters on it.
  if (value.includes('?') || value.includes('#')) return paramError('notify_url不能携带参数');
  return null;
}

function orderFingerprint(fields: Fields): string {
  return JSON.stringify(
    [
      'appid',
      'body',
      'total_fee',
      'fee_type',
      'trade_type',
      'openid',
      'notify_url',
      'attach',
      'detail',
      'product_id',
    ].map((name) => fields[name] ?? ''),
  );
}

/** v2's err_code for each refusal of the shared pay service (same codes and texts as before the split). */
const REFUSALS = {
  ORDERNOTEXIST: { errCode: 'ORDERNOTEXIST', errCodeDes: '订单不存在' },
  ORDERPAID: { errCode: 'ORDERPAID', errCodeDes: '该订单已支付' },
  ORDERCLOSED: { errCode: 'ORDERCLOSED', errCodeDes: '该订单已关闭' },
  NOMERCHANT: { errCode: 'SYSTEMERROR', errCodeDes: '系统错误,请稍后再试' },
  OUT_TRADE_NO_USED: { errCode: 'OUT_TRADE_NO_USED', errCodeDes: '商户订单号重复' },
  REFUND_PARAMS_CHANGED: { errCode: 'INVALID_REQUEST', errCodeDes: '同一笔退款单号的退款参数与原请求不一致' },
  ORDER_NOT_PAID: { errCode: 'INVALID_REQUEST', errCodeDes: '订单未支付，不能退款' },
  REFUND_TOTAL_MISMATCH: { errCode: 'PARAM_ERROR', errCodeDes: '订单金额total_fee与原订单不一致' },
  REFUND_EXCEEDS_TOTAL: { errCode: 'INVALID_REQUEST', errCodeDes: '退款金额总和超过订单金额' },
  REFUND_COUNT_EXCEEDED: { errCode: 'INVALID_REQUEST', errCodeDes: '退款次数超过50次' },
} as const satisfies Record<PayRefusal, BusinessError>;

function refusalOf(error: PayOrderError): BusinessError {
  return REFUSALS[error.code];
}

const TRADE_STATE_DESC: Record<EmulatorOrder['tradeState'], string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '订单发生过退款',
};

export function createPayRoutes(state: EmulatorState, payService: PayService): Router<FaultState> {
  const router = new Router<FaultState>();

  /** Reads, parses and authenticates a request; answers return_code FAIL itself and yields null. */
  async function authenticate(ctx: PayCtx): Promise<Authenticated | null> {
    let raw: string;
    try {
      raw = await readRawBody(ctx.req, MAX_BODY_BYTES, true);
    } catch (error) {
      if (!(error instanceof BodyNotUtf8Error)) throw error;
      sendProtocolFail(ctx, '编码格式错误');
      return null;
    }
    if (raw.trim() === '') {
      sendProtocolFail(ctx, 'POST_DATA_EMPTY');
      return null;
    }
    let fields: Fields;
    try {
      fields = parseXml(raw, { maxBytes: MAX_BODY_BYTES });
    } catch (error) {
      if (!(error instanceof XmlParseError)) throw error;
      sendProtocolFail(ctx, 'XML格式错误');
      return null;
    }
    const mchId = fields.mch_id ?? '';
    if (mchId === '') {
      sendProtocolFail(ctx, '缺少参数mch_id');
      return null;
    }
    const merchant = state.merchants.get(mchId);
    if (!merchant) {
      sendProtocolFail(ctx, 'mch_id参数格式错误');
      return null;
    }
    if (merchant.key === '') {
      // An API v3-only merchant has no v2 key, so no v2 request of it can be authentic.
      sendProtocolFail(ctx, SIGN_ERROR_MSG);
      return null;
    }
    const declared = fields.sign_type;
    if (declared !== undefined && declared !== '' && !isSignType(declared)) {
      sendProtocolFail(ctx, 'sign_type参数格式错误');
      return null;
    }
    const signType: SignType = declared === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
    // The declared (or default MD5) algorithm is the one checked: an HMAC sign without sign_type fails.
    if ((fields.sign ?? '') === '' || !verifyV2(fields, merchant.key, signType)) {
      sendProtocolFail(ctx, SIGN_ERROR_MSG);
      return null;
    }
    return { fields, merchant, signType };
  }

  function respond(
    ctx: PayCtx,
    auth: Authenticated,
    result: Record<string, string | number> | BusinessError,
  ): void {
    const base: Record<string, string | number> = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: auth.fields.appid ?? '',
      mch_id: auth.merchant.mchId,
      ...(auth.fields.device_info ? { device_info: auth.fields.device_info } : {}),
      nonce_str: createNonce(),
    };
    const body: Record<string, string | number> =
      'errCode' in result
        ? { ...base, result_code: 'FAIL', err_code: result.errCode, err_code_des: result.errCodeDes }
        : { ...base, result_code: 'SUCCESS', ...result };
    const sign = signV2(body, auth.merchant.key, auth.signType);
    sendXml(ctx, buildXml({ ...body, sign }));
  }

  /** appid known and bound to the merchant, nonce_str present; then the injected SYSTEMERROR fault. */
  function commonChecks(ctx: PayCtx, auth: Authenticated): BusinessError | null {
    const appId = auth.fields.appid ?? '';
    if (appId === '') return lack('appid');
    if (!state.apps.has(appId)) return { errCode: 'APPID_NOT_EXIST', errCodeDes: 'appid不存在' };
    if (!auth.merchant.appIds.includes(appId)) {
      return { errCode: 'APPID_MCHID_NOT_MATCH', errCodeDes: 'appid和mch_id不匹配' };
    }
    const nonce = auth.fields.nonce_str ?? '';
    if (nonce === '') return lack('nonce_str');
    if (nonce.length > 32) return paramError('nonce_str参数长度有误');
    if (ctx.state.injectedFault === 'systemerror') {
      return { errCode: 'SYSTEMERROR', errCodeDes: '系统错误,请稍后再试' };
    }
    return null;
  }

  function findOrder(auth: Authenticated): EmulatorOrder | BusinessError {
    const { fields, merchant } = auth;
    const transactionId = fields.transaction_id ?? '';
    const outTradeNo = fields.out_trade_no ?? '';
    let order: EmulatorOrder | undefined;
    if (transactionId !== '') {
      order = payService.findOrder(merchant.mchId, { transactionId });
    } else if (outTradeNo !== '') {
      order = payService.findOrder(merchant.mchId, { outTradeNo });
    } else {
      return lack('out_trade_no');
    }
    if (!order || order.appId !== fields.appid) return { errCode: 'ORDERNOTEXIST', errCodeDes: '订单不存在' };
    return order;
  }

  for (const path of [
    '/pay/unifiedorder',
    '/pay/orderquery',
    '/pay/closeorder',
    '/secapi/pay/refund',
    '/pay/refundquery',
  ]) {
    router.get(path, (ctx) => sendProtocolFail(ctx, 'REQUIRE_POST_METHOD'));
  }

  router.post('/pay/unifiedorder', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const { fields } = auth;
    const failure =
      commonChecks(ctx, auth) ??
      checkFields(
        fields,
        ['body', 'out_trade_no', 'total_fee', 'spbill_create_ip', 'notify_url', 'trade_type'],
        {
          device_info: 32,
          body: 128,
          detail: 6000,
          attach: 127,
          fee_type: 16,
          spbill_create_ip: 64,
          time_start: 14,
          time_expire: 14,
          goods_tag: 32,
          notify_url: 256,
          product_id: 32,
          openid: 128,
          scene_info: 256,
        },
      );
    if (failure) return respond(ctx, auth, failure);
    const outTradeNo = fields.out_trade_no ?? '';
    const totalFee = fields.total_fee ?? '';
    const tradeType = fields.trade_type ?? '';
    const openid = fields.openid ?? '';
    const feeType = fields.fee_type || 'CNY';
    const appId = fields.appid ?? '';
    const now = state.now();
    const invalid =
      (!OUT_TRADE_NO.test(outTradeNo) && paramError('out_trade_no参数格式错误')) ||
      (!POSITIVE_INT.test(totalFee) && paramError('total_fee参数格式错误')) ||
      (feeType !== 'CNY' && paramError('fee_type参数格式错误')) ||
      (isIP(fields.spbill_create_ip ?? '') === 0 && paramError('spbill_create_ip参数格式错误')) ||
      checkNotifyUrl(fields.notify_url ?? '') ||
      (!TRADE_TYPES.includes(tradeType) && paramError('trade_type参数格式错误')) ||
      (tradeType === 'JSAPI' && openid === '' && paramError('JSAPI支付必须传openid')) ||
      (tradeType === 'JSAPI' &&
        !findUserByOpenid(state, appId, openid) &&
        paramError('appid和openid不匹配')) ||
      (tradeType === 'NATIVE' &&
        (fields.product_id ?? '') === '' &&
        paramError('NATIVE支付必须传product_id')) ||
      (fields.limit_pay !== undefined &&
        fields.limit_pay !== 'no_credit' &&
        paramError('limit_pay参数格式错误')) ||
      (fields.time_start !== undefined &&
        !PAY_TIME.test(fields.time_start) &&
        paramError('time_start参数格式错误')) ||
      (fields.time_expire !== undefined &&
        !PAY_TIME.test(fields.time_expire) &&
        paramError('time_expire参数格式错误')) ||
      null;
    if (invalid) return respond(ctx, auth, invalid);
    // time_start must be a real Beijing time; time_expire at least a minute after it (and after now).
    let startMs = now;
    if (fields.time_start !== undefined) {
      try {
        startMs = Math.max(now, parsePayTime(fields.time_start).getTime());
      } catch {
        return respond(ctx, auth, paramError('time_start参数格式错误'));
      }
    }
    let expiresAt = now + PREPAY_TTL_MS;
    if (fields.time_expire !== undefined) {
      let expireMs: number;
      try {
        expireMs = parsePayTime(fields.time_expire).getTime();
      } catch {
        return respond(ctx, auth, paramError('time_expire参数格式错误'));
      }
      if (expireMs - startMs < 60_000) {
        return respond(ctx, auth, paramError('time_expire时间过短，刷卡至少1分钟，其他5分钟'));
      }
      expiresAt = Math.min(expiresAt, expireMs);
    }
    let order: EmulatorOrder;
    try {
      order = payService.createOrder({
        mchId: auth.merchant.mchId,
        appId,
        outTradeNo,
        fingerprint: orderFingerprint(fields),
        body: fields.body ?? '',
        attach: fields.attach ?? '',
        detail: fields.detail ?? '',
        deviceInfo: fields.device_info ?? '',
        totalFee: Number(totalFee),
        feeType,
        tradeType,
        openid,
        notifyUrl: fields.notify_url ?? '',
        signType: auth.signType,
        expiresAt,
      });
    } catch (error) {
      if (!(error instanceof PayOrderError)) throw error;
      return respond(ctx, auth, refusalOf(error));
    }
    respond(ctx, auth, prepayFields(order));
  });

  function prepayFields(order: EmulatorOrder): Record<string, string> {
    return {
      trade_type: order.tradeType,
      prepay_id: order.prepayId,
      ...(order.tradeType === 'NATIVE'
        ? { code_url: `weixin://wxpay/bizpayurl?pr=${order.prepayId.slice(-7)}` }
        : {}),
      ...(order.tradeType === 'MWEB'
        ? { mweb_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${order.prepayId}` }
        : {}),
    };
  }

  router.post('/pay/orderquery', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const failure = commonChecks(ctx, auth);
    if (failure) return respond(ctx, auth, failure);
    const order = findOrder(auth);
    if ('errCode' in order) return respond(ctx, auth, order);
    const paid = order.transactionId !== undefined;
    respond(ctx, auth, {
      ...(order.deviceInfo === '' ? {} : { device_info: order.deviceInfo }),
      openid: order.openid,
      is_subscribe: 'N',
      trade_type: order.tradeType,
      trade_state: order.tradeState,
      ...(paid ? { bank_type: 'OTHERS' } : {}),
      total_fee: order.totalFee,
      fee_type: order.feeType,
      ...(paid ? { cash_fee: order.totalFee, transaction_id: order.transactionId ?? '' } : {}),
      out_trade_no: order.outTradeNo,
      ...(order.attach === '' ? {} : { attach: order.attach }),
      ...(paid && order.paidAt !== undefined ? { time_end: formatPayTime(new Date(order.paidAt)) } : {}),
      trade_state_desc: TRADE_STATE_DESC[order.tradeState],
    });
  });

  router.post('/pay/closeorder', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const failure = commonChecks(ctx, auth) ?? checkFields(auth.fields, ['out_trade_no'], {});
    if (failure) return respond(ctx, auth, failure);
    const order = state.orders.get(orderKey(auth.merchant.mchId, auth.fields.out_trade_no ?? ''));
    if (!order || order.appId !== auth.fields.appid) {
      return respond(ctx, auth, { errCode: 'ORDERNOTEXIST', errCodeDes: '订单不存在' });
    }
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') {
      return respond(ctx, auth, { errCode: 'ORDERPAID', errCodeDes: '订单已支付，不能发起关单' });
    }
    if (order.tradeState === 'CLOSED') {
      return respond(ctx, auth, { errCode: 'ORDERCLOSED', errCodeDes: '订单已关闭，无法重复关闭' });
    }
    order.tradeState = 'CLOSED';
    respond(ctx, auth, {});
  });

  // No client certificate here (the real endpoint needs mutual TLS with apiclient_cert.p12).
  router.post('/secapi/pay/refund', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const { fields } = auth;
    const failure =
      commonChecks(ctx, auth) ??
      checkFields(fields, ['out_refund_no', 'total_fee', 'refund_fee'], { refund_desc: 80, notify_url: 256 });
    if (failure) return respond(ctx, auth, failure);
    const outRefundNo = fields.out_refund_no ?? '';
    const invalid =
      (!OUT_REFUND_NO.test(outRefundNo) && paramError('out_refund_no参数格式错误')) ||
      (!POSITIVE_INT.test(fields.total_fee ?? '') && paramError('total_fee参数格式错误')) ||
      (!POSITIVE_INT.test(fields.refund_fee ?? '') && paramError('refund_fee参数格式错误')) ||
      ((fields.notify_url ?? '') !== '' && checkNotifyUrl(fields.notify_url ?? '')) ||
      null;
    if (invalid) return respond(ctx, auth, invalid);
    const order = findOrder(auth);
    if ('errCode' in order) return respond(ctx, auth, order);
    let refund: EmulatorRefund;
    try {
      ({ refund } = payService.createRefund({
        order,
        outRefundNo,
        totalFee: Number(fields.total_fee),
        refundFee: Number(fields.refund_fee),
        refundDesc: fields.refund_desc ?? '',
        notifyUrl: fields.notify_url ?? '',
      }));
    } catch (error) {
      if (!(error instanceof PayOrderError)) throw error;
      return respond(ctx, auth, refusalOf(error));
    }
    respond(ctx, auth, refundFields(refund, order));
  });

  function refundFields(refund: EmulatorRefund, order: EmulatorOrder): Record<string, string | number> {
    return {
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_fee: refund.refundFee,
      settlement_refund_fee: refund.refundFee,
      total_fee: order.totalFee,
      settlement_total_fee: order.totalFee,
      fee_type: order.feeType,
      cash_fee: order.totalFee,
      cash_refund_fee: refund.refundFee,
    };
  }

  router.post('/pay/refundquery', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const failure = commonChecks(ctx, auth);
    if (failure) return respond(ctx, auth, failure);
    const { fields, merchant } = auth;
    const mine = [...state.refunds.values()].filter(
      (refund) => refund.mchId === merchant.mchId && refund.appId === fields.appid,
    );
    let matches: EmulatorRefund[];
    if (fields.refund_id) matches = mine.filter((refund) => refund.refundId === fields.refund_id);
    else if (fields.out_refund_no)
      matches = mine.filter((refund) => refund.outRefundNo === fields.out_refund_no);
    else if (fields.transaction_id)
      matches = mine.filter((refund) => refund.transactionId === fields.transaction_id);
    else if (fields.out_trade_no)
      matches = mine.filter((refund) => refund.outTradeNo === fields.out_trade_no);
    else return respond(ctx, auth, lack('out_trade_no'));
    const first = matches[0];
    const order = first ? state.orders.get(orderKey(merchant.mchId, first.outTradeNo)) : undefined;
    if (!first || !order)
      return respond(ctx, auth, { errCode: 'REFUNDNOTEXIST', errCodeDes: '退款订单查询失败' });
    const result: Record<string, string | number> = {
      transaction_id: first.transactionId,
      out_trade_no: first.outTradeNo,
      total_fee: order.totalFee,
      fee_type: order.feeType,
      cash_fee: order.totalFee,
      refund_count: matches.length,
    };
    matches.forEach((refund, n) => {
      result[`out_refund_no_${n}`] = refund.outRefundNo;
      result[`refund_id_${n}`] = refund.refundId;
      result[`refund_channel_${n}`] = 'ORIGINAL';
      result[`refund_fee_${n}`] = refund.refundFee;
      result[`settlement_refund_fee_${n}`] = refund.refundFee;
      result[`refund_status_${n}`] = refund.status;
      result[`refund_account_${n}`] = 'REFUND_SOURCE_RECHARGE_FUNDS';
      result[`refund_recv_accout_${n}`] = '支付用户零钱';
      result[`refund_success_time_${n}`] = formatSpacedPayTime(refund.successAt);
    });
    respond(ctx, auth, result);
  });

  return router;
}
