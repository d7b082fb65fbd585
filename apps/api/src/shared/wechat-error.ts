/**
 * The one family of WeChat failures, shared by every outbound client (JSON `/sns/*` and `/cgi-bin/*`, Pay v2 XML,
 * and any later protocol). Three kinds, and only three, because a caller can only act on three differences:
 *
 * - `unavailable` — WeChat did not answer usefully (timeout, network error, HTTP 5xx, "system busy") even after
 *   the bounded retries of `withWechatRetries`. The outcome of the call is UNKNOWN. → 503 `wechat_unavailable`.
 * - `refused` — WeChat answered, verifiably, and said no, with its own `code` (an `errcode` such as `40013`, a Pay
 *   `err_code` such as `ORDERPAID`, or `return_code=FAIL`). Asking again gets the same answer. → 502 `wechat_error`.
 * - `bad_response` — something answered that we cannot trust or read: a bad response signature, another
 *   appid/mch_id, an HTTP 4xx, a body that is not what the endpoint returns. → 502 `wechat_error`.
 *
 * These classes live in `shared/` because both sides need them and neither may import the other: the clients in
 * `wechat/` throw them (never an envelope error), and `http/handle-errors.ts` is the one place that maps them to
 * the envelope. Each carries the endpoint's path only — never a query, which holds secrets, tokens and codes.
 */
export type WechatFailureKind = 'unavailable' | 'refused' | 'bad_response';

export abstract class WechatError extends Error {
  abstract readonly kind: WechatFailureKind;
  constructor(
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type WechatUnavailableReason = 'timeout' | 'network' | 'http_status' | 'busy';

export class WechatUnavailableError extends WechatError {
  override readonly name = 'WechatUnavailableError';
  readonly kind = 'unavailable';
  constructor(
    endpoint: string,
    readonly reason: WechatUnavailableReason,
    /** How many attempts were made before giving up. */
    readonly attempts: number,
    /** A short, secret-free description (an error code such as ETIMEDOUT, `HTTP 500`, `SYSTEMERROR`). */
    readonly detail: string,
  ) {
    super(endpoint, `${endpoint} unavailable after ${attempts} attempt(s): ${reason} (${detail})`);
  }
}

export class WechatRefusedError extends WechatError {
  override readonly name = 'WechatRefusedError';
  readonly kind = 'refused';
  constructor(
    endpoint: string,
    /** WeChat's own code, as text: `40013`, `ORDERPAID`, `REFUNDNOTEXIST`, `RETURN_FAIL` (v2 tier one). */
    readonly code: string,
    /** WeChat's words (`errmsg`, `err_code_des`, `return_msg`). */
    readonly detail: string,
  ) {
    super(endpoint, `${endpoint} answered ${code}: ${detail}`);
  }

  /** `errcode` of a JSON API refusal as a number (token-manager switches on it); undefined for Pay codes. */
  get errcode(): number | undefined {
    return /^-?\d+$/.test(this.code) ? Number(this.code) : undefined;
  }
}

export class WechatBadResponseError extends WechatError {
  override readonly name = 'WechatBadResponseError';
  readonly kind = 'bad_response';
  constructor(endpoint: string, detail: string, options?: { cause?: unknown }) {
    super(endpoint, `${endpoint} sent an untrustworthy response: ${detail}`, options);
  }
}

/** True for a refusal carrying one of these codes (any refusal when none is given). */
export function isRefused(err: unknown, ...codes: string[]): err is WechatRefusedError {
  return err instanceof WechatRefusedError && (codes.length === 0 || codes.includes(err.code));
}
