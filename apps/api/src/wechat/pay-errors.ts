/**
 * Failures of the WeChat Pay v2 client, one class per kind (stable `code`s to switch on). Routes map them to the
 * envelope: `PayUnavailableError` → 503 `wechat_unavailable`, every other → 502 `wechat_error`.
 */
export type PayErrorCode =
  /** Tier 1: `return_code=FAIL` (communication / signature / format problem), not worth retrying. */
  | 'PAY_RETURN_FAIL'
  /** Tier 2: `result_code=FAIL` with a business `err_code` (ORDERPAID, ORDERCLOSED, ORDERNOTEXIST …). */
  | 'PAY_RESULT_FAIL'
  /** The response is not a message we can trust: not XML, a bad signature, another appid/mch_id. */
  | 'PAY_BAD_RESPONSE'
  /** Network error, timeout, HTTP 5xx, "system busy" or SYSTEMERROR — still so after the bounded retries. */
  | 'PAY_UNAVAILABLE';

export class PayClientError extends Error {
  constructor(
    readonly code: PayErrorCode,
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PayClientError';
  }
}

export class PayReturnFailError extends PayClientError {
  constructor(
    endpoint: string,
    readonly returnMsg: string,
  ) {
    super('PAY_RETURN_FAIL', endpoint, `WeChat Pay ${endpoint} answered return_code=FAIL: ${returnMsg}`);
    this.name = 'PayReturnFailError';
  }
}

export class PayResultFailError extends PayClientError {
  constructor(
    endpoint: string,
    readonly errCode: string,
    readonly errCodeDes: string,
  ) {
    super('PAY_RESULT_FAIL', endpoint, `WeChat Pay ${endpoint} answered ${errCode}: ${errCodeDes}`);
    this.name = 'PayResultFailError';
  }
}

export class PayBadResponseError extends PayClientError {
  constructor(endpoint: string, detail: string, options?: { cause?: unknown }) {
    super(
      'PAY_BAD_RESPONSE',
      endpoint,
      `WeChat Pay ${endpoint} sent an untrustworthy response: ${detail}`,
      options,
    );
    this.name = 'PayBadResponseError';
  }
}

export class PayUnavailableError extends PayClientError {
  constructor(
    endpoint: string,
    readonly attempts: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'PAY_UNAVAILABLE',
      endpoint,
      `WeChat Pay ${endpoint} unavailable after ${attempts} attempt(s): ${detail}`,
      options,
    );
    this.name = 'PayUnavailableError';
  }
}

/** True for a business error with one of these `err_code`s. */
export function isResultFail(err: unknown, ...errCodes: string[]): err is PayResultFailError {
  return err instanceof PayResultFailError && (errCodes.length === 0 || errCodes.includes(err.errCode));
}
