import got, { RequestError, type Got } from 'got';
import type { Logger } from 'pino';
import {
  WechatBadResponseError,
  WechatRefusedError,
  WechatUnavailableError,
  type WechatUnavailableReason,
} from '../shared/wechat-error';

export interface WechatHttpOptions {
  /** e.g. https://api.weixin.qq.com (no trailing slash). */
  baseUrl: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Extra attempts after the first for transient failures; default 2 (three attempts at most). */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 100 ms. */
  retryDelayMs?: number;
  logger?: Logger;
  observe?: ObserveWechatCall;
}

/**
 * A got instance for one WeChat host: base URL, a per-attempt timeout, no redirects and no retries of its own —
 * retries happen in `withWechatRetries`, the one retry policy of every WeChat call (JSON here, Pay v2 XML in
 * `pay/v2/`): each client only says which of its failures are transient (its own notion of "busy").
 */
export function createWechatGot(options: Pick<WechatHttpOptions, 'baseUrl' | 'timeoutMs'>): Got {
  return got.extend({
    prefixUrl: options.baseUrl,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    headers: { 'user-agent': 'wxh5-api' },
  });
}

/** A failure worth trying again: the next attempt may well succeed. */
export class TransientWechatFailure extends Error {
  override readonly name = 'TransientWechatFailure';
  constructor(
    readonly reason: WechatUnavailableReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** Classify a got error (never keeping it: its options hold the full URL with secrets). */
export function classifyRequestError(err: unknown): TransientWechatFailure | undefined {
  if (!(err instanceof RequestError)) return undefined;
  if (err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') {
    return new TransientWechatFailure('timeout', err.code);
  }
  return new TransientWechatFailure('network', err.code || err.name);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How one call to WeChat ended, all its attempts included (for metrics). */
export type WechatCallOutcome = 'ok' | 'refused' | 'unavailable';
export type ObserveWechatCall = (endpoint: string, outcome: WechatCallOutcome, seconds: number) => void;

export interface RetryPolicy {
  retries: number;
  retryDelayMs: number;
  logger?: Logger | undefined;
  /** Told of every call's outcome and duration (the api's `wxh5_wechat_call_duration_seconds`). */
  observe?: ObserveWechatCall | undefined;
}

/**
 * Run `attempt` up to `1 + retries` times while it throws `TransientWechatFailure` (or a got network/timeout
 * error), backing off exponentially with jitter; then throw `WechatUnavailableError`. Any other error (a refusal or a
 * bad response, see shared/wechat-error.ts) is thrown at once, untouched. The attempt is a closure over a request
 * built once, so every retry sends the same request (WeChat Pay asks for a re-entered order to repeat its original
 * parameters).
 */
export async function withWechatRetries<T>(
  endpoint: string,
  policy: RetryPolicy,
  attempt: () => Promise<T>,
): Promise<T> {
  if (!policy.observe) return retryAttempts(endpoint, policy, attempt);
  const startedAt = performance.now();
  const seconds = () => (performance.now() - startedAt) / 1000;
  try {
    const result = await retryAttempts(endpoint, policy, attempt);
    policy.observe(endpoint, 'ok', seconds());
    return result;
  } catch (err) {
    policy.observe(endpoint, err instanceof WechatUnavailableError ? 'unavailable' : 'refused', seconds());
    throw err;
  }
}

async function retryAttempts<T>(
  endpoint: string,
  policy: RetryPolicy,
  attempt: () => Promise<T>,
): Promise<T> {
  const attempts = policy.retries + 1;
  for (let n = 1; ; n += 1) {
    let failure: TransientWechatFailure;
    try {
      return await attempt();
    } catch (err) {
      const transient = err instanceof TransientWechatFailure ? err : classifyRequestError(err);
      if (!transient) throw err;
      failure = transient;
    }
    policy.logger?.warn(
      { endpoint, attempt: n, of: attempts, reason: failure.reason, detail: failure.detail },
      'wechat call failed',
    );
    if (n >= attempts) {
      throw new WechatUnavailableError(endpoint, failure.reason, n, failure.detail);
    }
    const base = policy.retryDelayMs * 2 ** (n - 1);
    await sleep(base + Math.floor(Math.random() * base));
  }
}

/** WeChat's JSON error shape, shared by `/sns/*` and `/cgi-bin/*`. */
interface WechatErrorBody {
  errcode?: unknown;
  errmsg?: unknown;
}

export interface WechatJsonClient {
  get<T extends object>(endpoint: string, searchParams: Record<string, string>): Promise<T>;
  post<T extends object>(endpoint: string, searchParams: Record<string, string>, json: object): Promise<T>;
}

/**
 * JSON calls to `/sns/*` and `/cgi-bin/*`: 5xx, network errors, timeouts and errcode -1 are retried (bounded);
 * any other non-zero errcode or a 4xx is a `WechatRefusedError`, a non-JSON body a `WechatBadResponseError`, at once. WeChat answers errors with
 * HTTP 200 and `{"errcode": …}`, so the body is always inspected.
 */
export function createWechatJsonClient(options: WechatHttpOptions): WechatJsonClient {
  const http = createWechatGot(options);
  const policy: RetryPolicy = {
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 100,
    logger: options.logger,
    observe: options.observe,
  };

  async function call<T extends object>(
    method: 'GET' | 'POST',
    endpoint: string,
    searchParams: Record<string, string>,
    json?: object,
  ): Promise<T> {
    return withWechatRetries(endpoint, policy, async () => {
      const response = await http(endpoint.replace(/^\//, ''), {
        method,
        searchParams,
        ...(json === undefined ? {} : { json }),
        responseType: 'text',
      });
      const status = response.statusCode;
      if (status >= 500) throw new TransientWechatFailure('http_status', `HTTP ${status}`);
      // A 4xx is WeChat's front door saying no: refused (not retried), with the status as its code.
      if (status >= 400) throw new WechatRefusedError(endpoint, `HTTP_${status}`, `HTTP ${status}`);
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        throw new WechatBadResponseError(endpoint, 'the response is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new WechatBadResponseError(endpoint, 'the response is not a JSON object');
      }
      const { errcode, errmsg } = body as WechatErrorBody;
      if (typeof errcode === 'number' && errcode !== 0) {
        if (errcode === -1) throw new TransientWechatFailure('busy', 'errcode -1');
        throw new WechatRefusedError(endpoint, String(errcode), typeof errmsg === 'string' ? errmsg : '');
      }
      return body as T;
    });
  }

  return {
    get: (endpoint, searchParams) => call('GET', endpoint, searchParams),
    post: (endpoint, searchParams, json) => call('POST', endpoint, searchParams, json),
  };
}
