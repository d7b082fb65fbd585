import { buildXml, createNonce, parseXml, signV2, verifyV2, type SignType } from '@wxh5/wechat-core';
import got, { type Got } from 'got';
import type { Logger } from 'pino';
import { WechatBadResponseError, WechatRefusedError } from '../../../shared/wechat-error';
import { TransientWechatFailure, withWechatRetries, type ObserveWechatCall } from '../../wechat-http';

/**
 * The WeChat Pay API v2 client (XML over HTTPS POST). Every request is signed with the configured sign type and
 * carries `sign_type` (which is then part of the signed set); every response is checked in two tiers —
 * `return_code` (protocol) then `result_code` (business) — and its signature is verified in constant time before
 * anything in it is believed: a response with a bad sign is an error, never data.
 *
 * Failures are the shared family (shared/wechat-error.ts): a `return_code=FAIL` is a `WechatRefusedError` with code
 * `RETURN_FAIL`, a `result_code=FAIL` one with its `err_code` (ORDERPAID …), an untrustworthy answer a
 * `WechatBadResponseError`. Retries go through `withWechatRetries`, the policy the JSON calls use: network errors,
 * timeouts, HTTP 5xx, "system busy" (`return_code=FAIL` 系统繁忙) and `SYSTEMERROR`/`BIZERR_NEED_RETRY` are retried
 * a bounded number of times with the SAME request body (same out_trade_no, nonce and sign — WeChat asks for a
 * re-entered order to repeat its original parameters), then surface as `WechatUnavailableError`.
 *
 * `/secapi/pay/refund` needs the merchant's client certificate (mutual TLS) on the real WeChat Pay: pass
 * `clientCertificate` (PKCS#12 `pfx` + passphrase, default passphrase = mch_id, or PEM `cert` + `key`). The local
 * emulator does not ask for one, so tests and the demo leave it unset. The api configures it with
 * WECHAT_PAY_CERT_P12_PATH (+ WECHAT_PAY_CERT_PASSPHRASE) or WECHAT_PAY_CERT_PATH + WECHAT_PAY_KEY_PATH, read once
 * by `createDeps` (`deps.payClientCertificate`). It is presented on `/secapi/` calls only: Node's https agent keys
 * its connection pools by the client certificate, so the other calls never reuse a connection that carries it.
 */

export type ClientCertificate =
  { pfx: Buffer; passphrase?: string } | { cert: string | Buffer; key: string | Buffer };

export interface PayClientOptions {
  appId: string;
  mchId: string;
  /** The 32-char API v2 key. */
  key: string;
  signType: SignType;
  /** e.g. https://api.mch.weixin.qq.com (no trailing slash). */
  baseUrl: string;
  /** Timeout of one attempt. */
  timeoutMs: number;
  /** Attempts per call including the first (default 3). */
  maxAttempts?: number;
  /** First backoff delay; doubles each retry, with jitter (default 100 ms). */
  retryDelayMs?: number;
  clientCertificate?: ClientCertificate;
  logger?: Logger;
  /** Told of every call's outcome and duration (metrics). */
  observe?: ObserveWechatCall;
  /** Random nonce_str (injectable for tests). */
  nonce?: () => string;
  /** A got instance to start from (e.g. the api's shared WeChat HTTP factory); retries are ours, so it must not retry. */
  http?: Got;
}

export interface UnifiedOrderInput {
  outTradeNo: string;
  amountFen: number;
  /** `body`: String(128). */
  description: string;
  openId: string;
  clientIp: string;
  notifyUrl: string;
  /** yyyyMMddHHmmss, Beijing time. */
  timeStart: string;
  timeExpire: string;
}

export interface UnifiedOrderResult {
  prepayId: string;
  tradeType: string;
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface OrderQueryResult {
  /** A TradeState; kept as string so an unknown future state is not a crash. */
  tradeState: string;
  outTradeNo: string;
  /** Present once paid. */
  transactionId: string | undefined;
  amountFen: number | undefined;
  /** yyyyMMddHHmmss Beijing time, once paid. */
  timeEnd: string | undefined;
  openId: string | undefined;
}

export interface RefundInput {
  outTradeNo: string;
  outRefundNo: string;
  totalFen: number;
  refundFen: number;
  reason?: string;
  notifyUrl: string;
}

export interface RefundResult {
  refundId: string;
  refundFen: number;
}

/** v2 `refund_status`. */
export type V2RefundStatus = 'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE';

/** An unknown (future) status is not an outcome: treated as still processing. */
function toRefundStatus(value: string | undefined): V2RefundStatus {
  return value === 'SUCCESS' || value === 'REFUNDCLOSE' || value === 'CHANGE' ? value : 'PROCESSING';
}

export interface RefundQueryItem {
  outRefundNo: string;
  refundId: string | undefined;
  refundFen: number | undefined;
  refundStatus: V2RefundStatus;
}

export interface PayClient {
  readonly signType: SignType;
  unifiedOrder(input: UnifiedOrderInput): Promise<UnifiedOrderResult>;
  orderQuery(outTradeNo: string): Promise<OrderQueryResult>;
  /** Resolves when WeChat closed it; ORDERPAID / ORDERCLOSED / ORDERNOTEXIST arrive as `WechatRefusedError`. */
  closeOrder(outTradeNo: string): Promise<void>;
  refund(input: RefundInput): Promise<RefundResult>;
  refundQuery(outRefundNo: string): Promise<RefundQueryItem[]>;
}

const RETRYABLE_ERR_CODES = new Set(['SYSTEMERROR', 'BIZERR_NEED_RETRY']);
/** `return_code=FAIL` messages that mean "busy, try again" rather than "your request is wrong". */
const BUSY_RETURN_MSG = /繁忙|SYSTEMERROR|system\s*(error|busy)/i;

function optionalInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function createPayClient(options: PayClientOptions): PayClient {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 100;
  const nonce = options.nonce ?? (() => createNonce());
  const http = (options.http ?? got).extend({
    prefixUrl: options.baseUrl,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
  });
  const httpsOptions = (() => {
    const cert = options.clientCertificate;
    if (!cert) return undefined;
    if ('pfx' in cert) return { pfx: cert.pfx, passphrase: cert.passphrase ?? options.mchId };
    return { certificate: cert.cert, key: cert.key };
  })();

  /** One attempt: the verified fields, or a throw — `TransientWechatFailure` for what is worth retrying. */
  async function attempt(endpoint: string, body: string): Promise<Record<string, string>> {
    // got's RequestError (DNS, connection resets, its own TimeoutError) is classified by withWechatRetries.
    const response = await http.post(endpoint.replace(/^\//, ''), {
      body,
      ...(httpsOptions && endpoint.startsWith('/secapi/') ? { https: httpsOptions } : {}),
    });
    const statusCode = response.statusCode;
    if (statusCode >= 500) throw new TransientWechatFailure('http_status', `HTTP ${statusCode}`);
    if (statusCode !== 200) throw new WechatBadResponseError(endpoint, `HTTP ${statusCode}`);
    let fields: Record<string, string>;
    try {
      fields = parseXml(response.body);
    } catch (error) {
      throw new WechatBadResponseError(endpoint, 'not a v2 XML message', { cause: error });
    }
    if (fields['return_code'] !== 'SUCCESS') {
      const returnMsg = fields['return_msg'] ?? '';
      if (BUSY_RETURN_MSG.test(returnMsg))
        throw new TransientWechatFailure('busy', 'return_code=FAIL (busy)');
      throw new WechatRefusedError(endpoint, 'RETURN_FAIL', returnMsg);
    }
    // Tier 1 passed: from here on the message must be signed by WeChat with our key.
    const declared = fields['sign_type'];
    const responseSignType: SignType =
      declared === 'MD5' || declared === 'HMAC-SHA256' ? declared : options.signType;
    if (!verifyV2(fields, options.key, responseSignType)) {
      throw new WechatBadResponseError(endpoint, 'the response signature does not verify');
    }
    if (fields['appid'] !== undefined && fields['appid'] !== options.appId) {
      throw new WechatBadResponseError(endpoint, 'the response is for another appid');
    }
    if (fields['mch_id'] !== undefined && fields['mch_id'] !== options.mchId) {
      throw new WechatBadResponseError(endpoint, 'the response is for another mch_id');
    }
    if (fields['result_code'] !== 'SUCCESS') {
      const errCode = fields['err_code'] ?? 'UNKNOWN';
      if (RETRYABLE_ERR_CODES.has(errCode)) throw new TransientWechatFailure('busy', errCode);
      throw new WechatRefusedError(endpoint, errCode, fields['err_code_des'] ?? '');
    }
    return fields;
  }

  const policy = { retries: maxAttempts - 1, retryDelayMs, logger: options.logger, observe: options.observe };

  async function call(
    endpoint: string,
    params: Record<string, string | number | undefined>,
  ): Promise<Record<string, string>> {
    const message: Record<string, string | number | undefined> = {
      appid: options.appId,
      mch_id: options.mchId,
      nonce_str: nonce(),
      sign_type: options.signType,
      ...params,
    };
    message['sign'] = signV2(message, options.key, options.signType);
    // Built once: every retry sends exactly these bytes.
    const body = buildXml(message);
    return withWechatRetries(endpoint, policy, () => attempt(endpoint, body));
  }

  return {
    signType: options.signType,

    async unifiedOrder(input) {
      const fields = await call('/pay/unifiedorder', {
        device_info: 'WEB',
        body: input.description,
        out_trade_no: input.outTradeNo,
        fee_type: 'CNY',
        total_fee: input.amountFen,
        spbill_create_ip: input.clientIp,
        time_start: input.timeStart,
        time_expire: input.timeExpire,
        notify_url: input.notifyUrl,
        trade_type: 'JSAPI',
        openid: input.openId,
      });
      const prepayId = nonEmpty(fields['prepay_id']);
      if (!prepayId)
        throw new WechatBadResponseError('/pay/unifiedorder', 'no prepay_id in a SUCCESS response');
      return { prepayId, tradeType: fields['trade_type'] ?? 'JSAPI' };
    },

    async orderQuery(outTradeNo) {
      const fields = await call('/pay/orderquery', { out_trade_no: outTradeNo });
      const tradeState = nonEmpty(fields['trade_state']);
      if (!tradeState)
        throw new WechatBadResponseError('/pay/orderquery', 'no trade_state in a SUCCESS response');
      if (fields['out_trade_no'] !== undefined && fields['out_trade_no'] !== outTradeNo) {
        throw new WechatBadResponseError('/pay/orderquery', 'the response is about another out_trade_no');
      }
      return {
        tradeState,
        outTradeNo,
        transactionId: nonEmpty(fields['transaction_id']),
        amountFen: optionalInt(fields['total_fee']),
        timeEnd: nonEmpty(fields['time_end']),
        openId: nonEmpty(fields['openid']),
      };
    },

    async closeOrder(outTradeNo) {
      await call('/pay/closeorder', { out_trade_no: outTradeNo });
    },

    async refund(input) {
      const fields = await call('/secapi/pay/refund', {
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        total_fee: input.totalFen,
        refund_fee: input.refundFen,
        refund_fee_type: 'CNY',
        refund_desc: input.reason,
        notify_url: input.notifyUrl,
      });
      const refundId = nonEmpty(fields['refund_id']);
      if (!refundId)
        throw new WechatBadResponseError('/secapi/pay/refund', 'no refund_id in a SUCCESS response');
      return { refundId, refundFen: optionalInt(fields['refund_fee']) ?? input.refundFen };
    },

    async refundQuery(outRefundNo) {
      const fields = await call('/pay/refundquery', { out_refund_no: outRefundNo });
      const count = optionalInt(fields['refund_count']) ?? 0;
      const items: RefundQueryItem[] = [];
      for (let i = 0; i < count; i += 1) {
        items.push({
          outRefundNo: fields[`out_refund_no_${i}`] ?? '',
          refundId: nonEmpty(fields[`refund_id_${i}`]),
          refundFen: optionalInt(fields[`refund_fee_${i}`]),
          refundStatus: toRefundStatus(fields[`refund_status_${i}`]),
        });
      }
      return items;
    },
  };
}
