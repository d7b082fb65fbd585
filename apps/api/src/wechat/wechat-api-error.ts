import { ApiError } from '../http/api-error';

/**
 * The two ways a call to WeChat fails. Both carry the endpoint's path only — never the query, which holds secrets,
 * tokens and OAuth codes.
 *
 * - `WechatApiError`: WeChat answered, and said no (`errcode` ≠ 0, an HTTP 4xx, or a body that is not what the
 *   endpoint returns). Not retried: asking again gets the same answer. → 502 `wechat_error`.
 * - `WechatUnavailableError`: WeChat did not answer usefully — timeout, network error, HTTP 5xx or errcode -1
 *   ("system busy") — even after the bounded retries. → 503 `wechat_unavailable`.
 *
 * Both live in this one file on purpose: `toApiError` below is the single mapping to HTTP, used by `handleErrors`.
 */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  constructor(
    readonly endpoint: string,
    /** WeChat's errcode; undefined for an HTTP 4xx or a malformed body. */
    readonly errcode: number | undefined,
    readonly errmsg: string,
  ) {
    super(
      errcode === undefined
        ? `${endpoint}: ${errmsg}`
        : `${endpoint} answered errcode ${errcode} (${errmsg})`,
    );
  }
}

export type WechatUnavailableReason = 'timeout' | 'network' | 'http_status' | 'busy';

export class WechatUnavailableError extends Error {
  override readonly name = 'WechatUnavailableError';
  constructor(
    readonly endpoint: string,
    readonly reason: WechatUnavailableReason,
    /** How many attempts were made before giving up. */
    readonly attempts: number,
    /** A short, secret-free description (an error code such as ETIMEDOUT or `HTTP 500`). */
    readonly detail: string,
  ) {
    super(`${endpoint} unavailable after ${attempts} attempt(s): ${reason} (${detail})`);
  }
}

/** The one mapping from a WeChat failure to the envelope; other errors give undefined. */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof WechatApiError) {
    return new ApiError(
      'wechat_error',
      err.errcode === undefined
        ? 'WeChat answered with an unexpected response.'
        : `WeChat answered errcode ${err.errcode}.`,
      { cause: err },
    );
  }
  if (err instanceof WechatUnavailableError) {
    return new ApiError(
      'wechat_unavailable',
      'WeChat is not answering right now. Please try again shortly.',
      {
        cause: err,
        headers: { 'Retry-After': '5' },
      },
    );
  }
  return undefined;
}
