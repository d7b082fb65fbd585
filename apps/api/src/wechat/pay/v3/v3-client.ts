import type { KeyObject } from 'node:crypto';
import {
  V3SignatureError,
  readWechatpayHeaders,
  signV3Request,
  type WechatpayVerifier,
} from '@wxh5/wechat-core';
import got, { type Got } from 'got';
import type { Logger } from 'pino';
import { WechatBadResponseError, WechatRefusedError } from '../../../shared/wechat-error';
import { TransientWechatFailure, withWechatRetries, type ObserveWechatCall } from '../../wechat-http';

/**
 * The WeChat Pay API v3 client: JSON over HTTPS, every request signed (`Authorization: WECHATPAY2-SHA256-RSA2048 …`
 * with the merchant's API private key and its certificate serial) and naming in `Wechatpay-Serial` the key it
 * verifies WeChat with (the public-key ID, else the newest platform certificate's serial: WeChat signs its answer
 * with that key, and during the migration refuses a request that names none).
 *
 * Every answer a decision is made on is verified before its body is believed — 2xx, 204 and the 4xx refusals
 * alike (`Wechatpay-*` headers over the raw bytes, ±300 s, probes refused): an answer that does not verify is a
 * `WechatBadResponseError`. The only answers not verified are those nothing is read from: a 5xx or a 429, which are
 * retried by `withWechatRetries` (the policy every WeChat call shares) and then surface as `WechatUnavailableError`
 * — `SYSTEM_ERROR` and `FREQUENCY_LIMITED` mean "try again", whoever says so. A verified 4xx is a
 * `WechatRefusedError` with WeChat's `code` (ORDERPAID, ORDER_CLOSED, RESOURCE_NOT_EXISTS …). Every retry sends the
 * same body (WeChat asks for a re-entered order to repeat its parameters) with a fresh signature.
 */

/** What verifies WeChat, and the serial a request names (both may change when certificates are downloaded). */
export interface WechatpayKeys {
  /** The verifier to check answers and notifies with (downloads platform certificates first when `auto`). */
  verifier(): Promise<WechatpayVerifier>;
  /** The `Wechatpay-Serial` to send: the public-key ID, else the newest platform certificate; none yet = undefined. */
  requestSerial(): Promise<string | undefined>;
}

export interface V3ClientOptions {
  mchId: string;
  merchantPrivateKey: KeyObject;
  /** The merchant API certificate's serial (商户API证书序列号), upper-case hex. */
  merchantCertSerial: string;
  /** e.g. https://api.mch.weixin.qq.com (no trailing slash). */
  baseUrl: string;
  timeoutMs: number;
  keys: WechatpayKeys;
  /** Attempts per call including the first (default 3). */
  maxAttempts?: number;
  retryDelayMs?: number;
  logger?: Logger;
  observe?: ObserveWechatCall;
  /** Seconds-resolution clock of the Authorization timestamp (ms since the epoch). */
  now?: () => number;
  http?: Got;
}

export interface V3Request {
  method: 'GET' | 'POST';
  /** Path and query as sent (`/v3/pay/transactions/out-trade-no/X?mchid=1`): it is part of the signature. */
  path: string;
  /** The endpoint's name for errors, logs and metrics (`/v3/pay/transactions/out-trade-no/{out_trade_no}`). */
  endpoint: string;
  body?: object;
  /** Verify this answer with another verifier (the first /v3/certificates: with the certificates it carries). */
  verifierFor?: (rawBody: string) => Promise<WechatpayVerifier>;
  /**
   * Take a 4xx refusal even when it cannot be verified. Only for /v3/certificates before any key is known: a refusal
   * can only make us stop (and say why), never believe something.
   */
  trustRefusals?: boolean;
}

export interface V3Answer {
  status: number;
  /** The parsed JSON body; undefined for an empty one (204). */
  body: Record<string, unknown> | undefined;
}

export interface V3Client {
  call(request: V3Request): Promise<V3Answer>;
}

const RETRYABLE_CODES = new Set(['SYSTEM_ERROR', 'SYSTEMERROR', 'FREQUENCY_LIMITED', 'BANK_ERROR']);

function parseObject(text: string): Record<string, unknown> | undefined | null {
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function codeOf(text: string): string | undefined {
  const body = parseObject(text);
  return body && typeof body['code'] === 'string' ? body['code'] : undefined;
}

export function createV3Client(options: V3ClientOptions): V3Client {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const now = options.now ?? Date.now;
  const http = (options.http ?? got).extend({
    prefixUrl: options.baseUrl,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    headers: { accept: 'application/json', 'user-agent': 'wxh5-api' },
  });
  const policy = {
    retries: maxAttempts - 1,
    retryDelayMs: options.retryDelayMs ?? 100,
    logger: options.logger,
    observe: options.observe,
  };

  async function attempt(request: V3Request, text: string): Promise<V3Answer> {
    const { endpoint } = request;
    const serial = await options.keys.requestSerial();
    const signed = signV3Request({
      method: request.method,
      url: request.path,
      body: text,
      mchId: options.mchId,
      serialNo: options.merchantCertSerial,
      privateKey: options.merchantPrivateKey,
      timestamp: Math.floor(now() / 1000),
    });
    const response = await http(request.path.replace(/^\//, ''), {
      method: request.method,
      headers: {
        authorization: signed.authorization,
        ...(serial === undefined ? {} : { 'wechatpay-serial': serial }),
        ...(text === '' ? {} : { 'content-type': 'application/json' }),
      },
      ...(text === '' ? {} : { body: text }),
    });
    const status = response.statusCode;
    // Nothing is read from these but "try again": not believed, not needing belief.
    if (status >= 500) {
      const code = codeOf(response.body);
      throw new TransientWechatFailure(code ? 'busy' : 'http_status', code ?? `HTTP ${status}`);
    }
    if (status === 429) throw new TransientWechatFailure('busy', codeOf(response.body) ?? 'HTTP 429');
    const trusted = request.trustRefusals === true && status >= 400;
    if (!trusted) {
      const verifier = await (request.verifierFor
        ? request.verifierFor(response.body)
        : options.keys.verifier());
      try {
        verifier.verify(readWechatpayHeaders(response.headers, response.body));
      } catch (err) {
        if (err instanceof V3SignatureError) {
          throw new WechatBadResponseError(endpoint, `HTTP ${status}, ${err.message}`, { cause: err });
        }
        throw err;
      }
    }
    const body = parseObject(response.body);
    if (body === null) throw new WechatBadResponseError(endpoint, `HTTP ${status}, not a JSON object`);
    if (status >= 200 && status < 300) return { status, body };
    const code = body && typeof body['code'] === 'string' ? body['code'] : undefined;
    if (status >= 400 && code) {
      if (RETRYABLE_CODES.has(code)) throw new TransientWechatFailure('busy', code);
      const message = typeof body?.['message'] === 'string' ? body['message'] : '';
      throw new WechatRefusedError(endpoint, code, message);
    }
    throw new WechatBadResponseError(endpoint, `HTTP ${status} without an error code`);
  }

  return {
    call(request) {
      // Serialised once: every retry sends these bytes (and signs them afresh).
      const text = request.body === undefined ? '' : JSON.stringify(request.body);
      return withWechatRetries(request.endpoint, policy, () => attempt(request, text));
    },
  };
}
