// WeChat Pay API v3 as api.mch.weixin.qq.com answers it: JSON, every request authenticated by its
// `Authorization: WECHATPAY2-SHA256-RSA2048 …` header against the merchant certificate's public key, every
// answer (errors and 204s too) signed with the key the merchant's verification mode — and, while migrating,
// the request's `Wechatpay-Serial` — names, and a `Request-ID` on each. Errors are `{code, message, detail?}`
// with WeChat's HTTP statuses. Orders and refunds go through the same pay service as v2.
import { randomUUID } from 'node:crypto';
import { Router } from '@koa/router';
import type { ParameterizedContext } from 'koa';
import {
  MAX_CLOCK_SKEW_SECONDS,
  encryptAeadAesGcm,
  parseV3Authorization,
  signWechatpayMessage,
  verifyV3Request,
} from '@wxh5/wechat-core';
import type { FaultState } from '../http/apply-faults';
import { BodyNotUtf8Error, readRawBody } from '../http/read-body';
import { PayOrderError } from '../pay-service';
import type { PayRefusal, PayService } from '../pay-service';
import { findUserByOpenid, orderKey } from '../state';
import type { EmulatorMerchant, EmulatorOrder, EmulatorState } from '../state';
import { formatRfc3339, parseRfc3339 } from '../v3/rfc3339';
import { describeRefund, describeTransaction } from '../v3/v3-notify';
import { acceptedSerials, defaultSigningKey, signingKeyFor } from '../v3/wechatpay-keys';
import type { MerchantV3 } from '../v3/wechatpay-keys';

const MAX_BODY_BYTES = 64 * 1024;
const PREPAY_TTL_MS = 2 * 3600 * 1000;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const MCHID = /^[0-9]{1,32}$/;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

type V3Ctx = ParameterizedContext<FaultState>;
type Json = Record<string, unknown>;

/** A v3 error answer: WeChat's HTTP status, code, message and (for field errors) detail. */
interface V3Error {
  status: number;
  code: string;
  message: string;
  detail?: Json;
}

function v3Error(status: number, code: string, message: string, detail?: Json): V3Error {
  return { status, code, message, ...(detail === undefined ? {} : { detail }) };
}

function paramError(field: string, issue: string, value?: unknown): V3Error {
  return v3Error(400, 'PARAM_ERROR', `${field.replace(/^\//, '').replace(/\//g, '.')}${issue}`, {
    field,
    ...(value === undefined ? {} : { value }),
    issue,
    location: 'body',
  });
}

/** The v3 answer for each refusal of the shared pay service. */
const REFUSALS = {
  ORDERNOTEXIST: v3Error(404, 'RESOURCE_NOT_EXISTS', '订单不存在'),
  ORDERPAID: v3Error(400, 'ORDERPAID', '订单已支付'),
  ORDERCLOSED: v3Error(400, 'ORDER_CLOSED', '订单已关闭'),
  NOMERCHANT: v3Error(400, 'MCH_NOT_EXISTS', '商户号不存在'),
  OUT_TRADE_NO_USED: v3Error(403, 'OUT_TRADE_NO_USED', '商户订单号重复'),
  REFUND_PARAMS_CHANGED: v3Error(400, 'INVALID_REQUEST', '同一笔退款单号的退款参数与原请求不一致'),
  ORDER_NOT_PAID: v3Error(400, 'INVALID_REQUEST', '订单未支付，不能退款'),
  REFUND_TOTAL_MISMATCH: v3Error(400, 'PARAM_ERROR', '订单金额与原订单不一致'),
  REFUND_EXCEEDS_TOTAL: v3Error(403, 'NOT_ENOUGH', '退款金额超过订单可退金额'),
  REFUND_COUNT_EXCEEDED: v3Error(403, 'RULE_LIMIT', '退款次数超过50次'),
} as const satisfies Record<PayRefusal, V3Error>;

const FAULT_ERRORS = {
  busy: v3Error(500, 'SYSTEM_ERROR', '系统繁忙，请稍后重试'),
  systemerror: v3Error(500, 'SYSTEM_ERROR', '系统错误'),
  frequency_limited: v3Error(429, 'FREQUENCY_LIMITED', '请求频率超过限制'),
} as const;

interface Authenticated {
  merchant: EmulatorMerchant & { v3: MerchantV3 };
  /** The request's Wechatpay-Serial, when it named one of the merchant's keys (the answer follows it). */
  serial: string | undefined;
  rawBody: string;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** https, or plain http to this machine (the emulator's tests and demo); never a query or fragment. */
function checkNotifyUrl(field: string, value: unknown): V3Error | null {
  if (typeof value !== 'string' || value === '') return paramError(field, '缺少参数');
  if (bytes(value) > 256) return paramError(field, '长度超过限制', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return paramError(field, '格式错误', value);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    return paramError(field, '必须为https地址', value);
  }
  if (value.includes('?') || value.includes('#')) return paramError(field, '不能携带参数', value);
  return null;
}

function stringField(body: Json, field: string, min: number, max: number, required: boolean): V3Error | null {
  const value = body[field];
  if (value === undefined) return required ? paramError(`/${field}`, '缺少参数') : null;
  if (typeof value !== 'string') return paramError(`/${field}`, '类型错误，应为字符串', value);
  const length = bytes(value);
  if (length < min || length > max) return paramError(`/${field}`, `长度应在${min}到${max}之间`, value);
  return null;
}

function positiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

export function createPayV3Routes(state: EmulatorState, payService: PayService): Router<FaultState> {
  const router = new Router<FaultState>({ prefix: '/v3' });
  // Every v3 answer carries a Request-ID (what WeChat support asks for), errors included.
  router.use(async (ctx, next) => {
    ctx.set('Request-ID', randomUUID().replace(/-/g, '').toUpperCase());
    await next();
  });

  function sign(
    ctx: V3Ctx,
    merchantV3: MerchantV3 | undefined,
    serial: string | undefined,
    body: string,
  ): void {
    if (!merchantV3) return;
    const key =
      (serial === undefined ? undefined : signingKeyFor(merchantV3, serial)) ?? defaultSigningKey(merchantV3);
    const headers = signWechatpayMessage({
      privateKey: key.privateKey,
      serial: key.serial,
      body,
      timestamp: Math.floor(state.now() / 1000),
    });
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  }

  function send(
    ctx: V3Ctx,
    auth: Pick<Authenticated, 'serial'> & { merchant?: { v3?: MerchantV3 } },
    status: number,
    payload?: Json,
  ): void {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    ctx.status = status;
    if (body === '') {
      ctx.body = null;
    } else {
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = body;
    }
    sign(ctx, auth.merchant?.v3, auth.serial, body);
  }

  function fail(
    ctx: V3Ctx,
    auth: Pick<Authenticated, 'serial'> & { merchant?: { v3?: MerchantV3 } },
    error: V3Error,
  ): void {
    send(ctx, auth, error.status, {
      code: error.code,
      message: error.message,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
    });
  }

  /** Authenticates the request and answers (signed when the merchant is known) if it fails; yields null then. */
  async function authenticate(ctx: V3Ctx): Promise<Authenticated | null> {
    let rawBody: string;
    try {
      rawBody = await readRawBody(ctx.req, MAX_BODY_BYTES, true);
    } catch (error) {
      if (!(error instanceof BodyNotUtf8Error)) throw error;
      fail(ctx, { serial: undefined }, v3Error(400, 'PARAM_ERROR', '请求体不是合法的UTF-8'));
      return null;
    }
    const authorization = parseV3Authorization(ctx.get('Authorization') || undefined);
    if (!authorization) {
      fail(ctx, { serial: undefined }, v3Error(401, 'SIGN_ERROR', 'Authorization不合法：缺少或格式错误'));
      return null;
    }
    const merchant = state.merchants.get(authorization.mchid);
    if (!merchant) {
      fail(ctx, { serial: undefined }, v3Error(400, 'MCH_NOT_EXISTS', '商户号不存在'));
      return null;
    }
    if (!merchant.v3) {
      fail(ctx, { serial: undefined }, v3Error(403, 'NO_AUTH', '商户未配置APIv3'));
      return null;
    }
    const v3 = merchant.v3;
    const named = ctx.get('Wechatpay-Serial');
    const serial = named !== '' && signingKeyFor(v3, named) ? named : undefined;
    const signedAs = { merchant, serial };
    if (authorization.serial_no.toUpperCase() !== v3.certSerialNo) {
      fail(ctx, signedAs, v3Error(401, 'SIGN_ERROR', '商户证书序列号有误'));
      return null;
    }
    const skew = Math.abs(state.now() / 1000 - Number(authorization.timestamp));
    if (!/^\d{1,12}$/.test(authorization.timestamp) || skew > MAX_CLOCK_SKEW_SECONDS) {
      fail(ctx, signedAs, v3Error(401, 'SIGN_ERROR', '签名时间戳已过期或格式错误'));
      return null;
    }
    const verified = verifyV3Request(
      { method: ctx.method, url: ctx.originalUrl, body: rawBody, authorization },
      v3.merchantPublicKey,
    );
    if (!verified) {
      fail(ctx, signedAs, v3Error(401, 'SIGN_ERROR', '签名错误，请检查后再试'));
      return null;
    }
    // While public keys are in use, every request names the key it verifies WeChat with.
    if (v3.mode !== 'platformCertificate') {
      if (named === '') {
        fail(ctx, signedAs, v3Error(400, 'INVALID_REQUEST', '请求头缺少Wechatpay-Serial'));
        return null;
      }
      if (!acceptedSerials(v3).includes(named)) {
        fail(ctx, signedAs, v3Error(400, 'INVALID_REQUEST', 'Wechatpay-Serial不正确，请使用微信支付公钥ID'));
        return null;
      }
    } else if (named !== '' && serial === undefined) {
      fail(ctx, signedAs, v3Error(400, 'INVALID_REQUEST', 'Wechatpay-Serial对应的平台证书不存在'));
      return null;
    }
    const fault = ctx.state.injectedFault;
    if (fault === 'busy' || fault === 'systemerror' || fault === 'frequency_limited') {
      fail(ctx, signedAs, FAULT_ERRORS[fault]);
      return null;
    }
    return { merchant: { ...merchant, v3 }, serial, rawBody };
  }

  function readBody(ctx: V3Ctx, auth: Authenticated): Json | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(auth.rawBody);
    } catch {
      fail(ctx, auth, v3Error(400, 'PARAM_ERROR', '请求体不是合法的JSON'));
      return null;
    }
    if (!isRecord(parsed)) {
      fail(ctx, auth, v3Error(400, 'PARAM_ERROR', '请求体应为JSON对象'));
      return null;
    }
    return parsed;
  }

  /** `?mchid=` on queries: required and the authenticated merchant's own. */
  function checkQueryMchid(ctx: V3Ctx, auth: Authenticated): boolean {
    const mchid = typeof ctx.query.mchid === 'string' ? ctx.query.mchid : '';
    if (mchid === '') {
      fail(
        ctx,
        auth,
        v3Error(400, 'PARAM_ERROR', '缺少参数mchid', {
          field: 'mchid',
          issue: '缺少参数',
          location: 'query',
        }),
      );
      return false;
    }
    if (mchid !== auth.merchant.mchId) {
      fail(ctx, auth, v3Error(400, 'INVALID_REQUEST', 'mchid与请求签名中的商户号不一致'));
      return false;
    }
    return true;
  }

  function validateJsapiOrder(body: Json, auth: Authenticated): V3Error | null {
    const simple =
      stringField(body, 'appid', 1, 32, true) ??
      stringField(body, 'mchid', 1, 32, true) ??
      stringField(body, 'description', 1, 127, true) ??
      stringField(body, 'out_trade_no', 6, 32, true) ??
      stringField(body, 'attach', 1, 128, false) ??
      stringField(body, 'time_expire', 1, 64, false) ??
      stringField(body, 'goods_tag', 1, 32, false);
    if (simple) return simple;
    const appid = body.appid as string;
    const mchid = body.mchid as string;
    if (!MCHID.test(mchid) || mchid !== auth.merchant.mchId) {
      return v3Error(400, 'INVALID_REQUEST', 'mchid与请求签名中的商户号不一致');
    }
    if (!OUT_TRADE_NO.test(body.out_trade_no as string)) {
      return paramError('/out_trade_no', '只能是数字、大小写字母_-|*', body.out_trade_no);
    }
    const notify = checkNotifyUrl('/notify_url', body.notify_url);
    if (notify) return notify;
    const amount = body.amount;
    if (!isRecord(amount)) return paramError('/amount', '缺少参数');
    if (!positiveInt(amount.total))
      return paramError('/amount/total', '应为大于等于1的整数（分）', amount.total);
    if (amount.currency !== undefined && amount.currency !== 'CNY') {
      return paramError('/amount/currency', '只支持CNY', amount.currency);
    }
    const payer = body.payer;
    if (!isRecord(payer) || typeof payer.openid !== 'string' || payer.openid === '') {
      return paramError('/payer/openid', '缺少参数');
    }
    if (!state.apps.has(appid) || !auth.merchant.appIds.includes(appid)) {
      return v3Error(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    }
    if (!findUserByOpenid(state, appid, payer.openid)) {
      return paramError('/payer/openid', '与appid不匹配', payer.openid);
    }
    if (body.time_expire !== undefined) {
      const expireMs = parseRfc3339(body.time_expire as string);
      if (expireMs === null)
        return paramError('/time_expire', '应为rfc3339格式，如2018-06-08T10:34:56+08:00', body.time_expire);
      if (expireMs - state.now() < 60_000)
        return paramError('/time_expire', '时间过短，至少1分钟', body.time_expire);
    }
    return null;
  }

  function orderFingerprint(body: Json): string {
    const amount = body.amount as Json;
    return JSON.stringify([
      body.appid,
      body.description,
      amount.total,
      amount.currency ?? 'CNY',
      (body.payer as Json).openid,
      body.notify_url,
      body.attach ?? '',
      body.goods_tag ?? '',
      JSON.stringify(body.detail ?? null),
    ]);
  }

  router.post('/pay/transactions/jsapi', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const body = readBody(ctx, auth);
    if (!body) return;
    const invalid = validateJsapiOrder(body, auth);
    if (invalid) return fail(ctx, auth, invalid);
    const outTradeNo = body.out_trade_no as string;
    const existing = state.orders.get(orderKey(auth.merchant.mchId, outTradeNo));
    // time_expire can be set only on the first order (a re-post must repeat it or leave it out).
    if (
      existing?.timeExpire !== undefined &&
      body.time_expire !== undefined &&
      body.time_expire !== existing.timeExpire
    ) {
      return fail(ctx, auth, REFUSALS.OUT_TRADE_NO_USED);
    }
    const now = state.now();
    const expireMs = typeof body.time_expire === 'string' ? parseRfc3339(body.time_expire) : null;
    let order: EmulatorOrder;
    try {
      order = payService.createOrder({
        mchId: auth.merchant.mchId,
        appId: body.appid as string,
        outTradeNo,
        fingerprint: orderFingerprint(body),
        body: body.description as string,
        attach: typeof body.attach === 'string' ? body.attach : '',
        detail: body.detail === undefined ? '' : JSON.stringify(body.detail),
        deviceInfo: '',
        totalFee: (body.amount as Json).total as number,
        feeType: 'CNY',
        tradeType: 'JSAPI',
        openid: (body.payer as Json).openid as string,
        notifyUrl: body.notify_url as string,
        signType: 'RSA',
        ...(typeof body.time_expire === 'string' ? { timeExpire: body.time_expire } : {}),
        expiresAt: Math.min(now + PREPAY_TTL_MS, expireMs ?? Number.POSITIVE_INFINITY),
      });
    } catch (error) {
      if (!(error instanceof PayOrderError)) throw error;
      return fail(ctx, auth, REFUSALS[error.code]);
    }
    send(ctx, auth, 200, { prepay_id: order.prepayId });
  });

  router.get('/pay/transactions/out-trade-no/:outTradeNo', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth || !checkQueryMchid(ctx, auth)) return;
    const order = state.orders.get(orderKey(auth.merchant.mchId, ctx.params.outTradeNo ?? ''));
    if (!order) return fail(ctx, auth, REFUSALS.ORDERNOTEXIST);
    send(ctx, auth, 200, describeTransaction(order));
  });

  router.get('/pay/transactions/id/:transactionId', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth || !checkQueryMchid(ctx, auth)) return;
    // Only paid orders have a transaction_id: an unpaid order can be found by out_trade_no only.
    const order = payService.findOrder(auth.merchant.mchId, {
      transactionId: ctx.params.transactionId ?? '',
    });
    if (!order) return fail(ctx, auth, REFUSALS.ORDERNOTEXIST);
    send(ctx, auth, 200, describeTransaction(order));
  });

  router.post('/pay/transactions/out-trade-no/:outTradeNo/close', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const body = readBody(ctx, auth);
    if (!body) return;
    const invalid = stringField(body, 'mchid', 1, 32, true);
    if (invalid) return fail(ctx, auth, invalid);
    if (body.mchid !== auth.merchant.mchId) {
      return fail(ctx, auth, v3Error(400, 'INVALID_REQUEST', 'mchid与请求签名中的商户号不一致'));
    }
    const order = state.orders.get(orderKey(auth.merchant.mchId, ctx.params.outTradeNo ?? ''));
    if (!order) return fail(ctx, auth, REFUSALS.ORDERNOTEXIST);
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND')
      return fail(ctx, auth, REFUSALS.ORDERPAID);
    // Closing a closed order answers 204 again (WeChat was seen doing so).
    order.tradeState = 'CLOSED';
    send(ctx, auth, 204);
  });

  router.post('/refund/domestic/refunds', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const body = readBody(ctx, auth);
    if (!body) return;
    const invalid =
      stringField(body, 'transaction_id', 1, 32, false) ??
      stringField(body, 'out_trade_no', 6, 32, false) ??
      stringField(body, 'out_refund_no', 1, 64, true) ??
      stringField(body, 'reason', 1, 80, false) ??
      (body.notify_url === undefined ? null : checkNotifyUrl('/notify_url', body.notify_url)) ??
      (body.transaction_id === undefined && body.out_trade_no === undefined
        ? paramError('/out_trade_no', '缺少参数：transaction_id与out_trade_no必填其一')
        : null) ??
      (!OUT_REFUND_NO.test(body.out_refund_no as string)
        ? paramError('/out_refund_no', '只能是数字、大小写字母_-|*@', body.out_refund_no)
        : null);
    if (invalid) return fail(ctx, auth, invalid);
    const amount = body.amount;
    if (!isRecord(amount)) return fail(ctx, auth, paramError('/amount', '缺少参数'));
    if (!positiveInt(amount.refund))
      return fail(ctx, auth, paramError('/amount/refund', '应为大于等于1的整数（分）', amount.refund));
    if (!positiveInt(amount.total))
      return fail(ctx, auth, paramError('/amount/total', '应为大于等于1的整数（分）', amount.total));
    if (amount.currency !== 'CNY')
      return fail(ctx, auth, paramError('/amount/currency', '缺少参数或不是CNY', amount.currency));
    if (amount.refund > amount.total)
      return fail(ctx, auth, paramError('/amount/refund', '不能大于订单金额', amount.refund));
    const order = payService.findOrder(
      auth.merchant.mchId,
      typeof body.transaction_id === 'string'
        ? { transactionId: body.transaction_id }
        : { outTradeNo: body.out_trade_no as string },
    );
    if (!order) return fail(ctx, auth, REFUSALS.ORDERNOTEXIST);
    try {
      const { refund } = payService.createRefund({
        order,
        source: 'v3',
        outRefundNo: body.out_refund_no as string,
        totalFee: amount.total,
        refundFee: amount.refund,
        refundDesc: typeof body.reason === 'string' ? body.reason : '',
        notifyUrl: typeof body.notify_url === 'string' ? body.notify_url : '',
      });
      send(ctx, auth, 200, describeRefund(refund));
    } catch (error) {
      if (!(error instanceof PayOrderError)) throw error;
      fail(ctx, auth, REFUSALS[error.code]);
    }
  });

  router.get('/refund/domestic/refunds/:outRefundNo', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const refund = state.refunds.get(orderKey(auth.merchant.mchId, ctx.params.outRefundNo ?? ''));
    if (!refund) return fail(ctx, auth, v3Error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在'));
    send(ctx, auth, 200, describeRefund(refund));
  });

  router.get('/certificates', async (ctx) => {
    const auth = await authenticate(ctx);
    if (!auth) return;
    const { v3 } = auth.merchant;
    if (v3.mode === 'publicKey' || v3.platformCertificates.length === 0) {
      return fail(
        ctx,
        auth,
        v3Error(404, 'RESOURCE_NOT_EXISTS', '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥'),
      );
    }
    send(ctx, auth, 200, {
      data: v3.platformCertificates.map((cert) => ({
        serial_no: cert.serialNo,
        effective_time: formatRfc3339(cert.effectiveAt),
        expire_time: formatRfc3339(cert.expiresAt),
        encrypt_certificate: encryptAeadAesGcm(cert.pem, v3.apiV3Key, { associatedData: 'certificate' }),
      })),
    });
  });

  return router;
}
