import type { JsapiPayParamsView, RefundStatus, SignScheme } from '@wxh5/contracts';

/**
 * The port between the business code (`src/pay/`: orders, refunds, notifies, the sweep) and one WeChat Pay
 * protocol. Everything here is in domain terms — camelCase, fen, ISO-8601 UTC, verified facts and typed
 * rejections; wire names (`out_trade_no`, `total_fee`, `result_code`, `req_info`, headers such as
 * `Wechatpay-Signature`) stay inside the adapters (`v2/`, `v3/`). See apps/api/README.md.
 *
 * Failures of the calls are the shared family (shared/wechat-error.ts): unavailable (outcome unknown), refused
 * (WeChat said no, with its code), bad response. The outcomes the business code must act on are NOT errors but
 * values (an order already paid when we close it, a refund WeChat never saw), so `pay/` never switches on a
 * protocol's error codes.
 */

/** What the business code asks WeChat to prepare (the order row, already stored PENDING). */
export interface PrepayRequest {
  outTradeNo: string;
  amountFen: number;
  description: string;
  openId: string;
  clientIp: string;
  notifyUrl: string;
  /** When the order was created, and when it stops being payable (ms since the epoch). */
  createdAtMs: number;
  expiresAtMs: number;
}

export interface Prepay {
  prepayId: string;
  /** The scheme the prepay was made with: the pay params must be signed with the same (the cashier checks). */
  signScheme: SignScheme;
}

/** What WeChat says about an order (queryOrder). */
export type OrderAtWechat =
  /** Paid (maybe refunded since). The business code still checks the amount and the transaction id. */
  | {
      state: 'paid';
      transactionId: string | undefined;
      amountFen: number | undefined;
      paidAt: string | undefined;
    }
  /** Not paid and still payable (not paid yet, the user is paying, or one attempt failed at the bank). */
  | { state: 'open' }
  /** Closed or revoked: it can no longer be paid. */
  | { state: 'closed' }
  /** WeChat has never heard of it (the prepay call never reached WeChat). */
  | { state: 'unknown' };

/** closeOrder: closed now, already closed or never created there (closed here too), or paid meanwhile. */
export type CloseAtWechat = 'closed' | 'already_closed' | 'unknown' | 'paid';

export interface RefundRequest {
  outTradeNo: string;
  outRefundNo: string;
  /** The order's full amount (WeChat checks it against the paid order). */
  totalFen: number;
  refundFen: number;
  reason?: string;
  notifyUrl: string;
}

/** How a refund ended at WeChat: it went through, it was closed, or the money could not be returned. */
export type RefundOutcome = Exclude<RefundStatus, 'PROCESSING'>;

/** What WeChat says about a refund (queryRefund). `unknown`: never seen — submit it again, same out_refund_no. */
export type RefundAtWechat =
  | { state: 'processing' }
  | { state: 'done'; outcome: RefundOutcome; refundId: string | undefined }
  | { state: 'unknown' };

/** A notify as it reached us: the exact body (already read, UTF-8) and its headers (v3 signs with headers). */
export interface NotifyRequest {
  rawBody: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The body was refused before any field was read: by the route (size, encoding) or by the protocol's parser. */
export type BodyVerdict =
  | 'too_large'
  | 'not_utf8'
  | 'aborted'
  | 'doctype'
  | 'entity'
  | 'xml_not_string'
  | 'xml_empty'
  | 'xml_too_large'
  | 'xml_instruction'
  | 'xml_not_well_formed'
  | 'xml_wrong_root'
  | 'xml_nested'
  | 'xml_attributes'
  | 'xml_duplicate'
  | 'json_not_well_formed'
  | 'json_wrong_shape';

/**
 * A signed notify (v3) whose signature is not WeChat's over these bytes, now: headers missing, a timestamp that is
 * not seconds or more than 300 s off, a serial no configured key has, a `WECHATPAY/SIGNTEST/` probe (WeChat checks
 * that it is refused), a signature that does not verify. `bad_resource`: the encrypted resource does not decrypt
 * with our key (or is not the JSON it should be).
 */
export type SignedNoticeRejection =
  | 'missing_signature_headers'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'unknown_serial'
  | 'signature_probe'
  | 'bad_signature'
  | 'bad_resource';

/** A payment notify that is not a verified fact from WeChat for this merchant. */
export type PayNoticeRejection =
  | BodyVerdict
  | SignedNoticeRejection
  | 'return_fail'
  | 'missing_sign'
  | 'bad_sign_type'
  | 'wrong_appid'
  | 'wrong_mch_id'
  | 'missing_fields';

/** A refund notify that is not a verified fact from WeChat for this merchant. */
export type RefundNoticeRejection =
  | BodyVerdict
  | SignedNoticeRejection
  | 'return_fail'
  | 'wrong_appid'
  | 'wrong_mch_id'
  | 'bad_req_info'
  | 'missing_fields';

/** The verdicts of a payment notify: the reader's rejections, then what the order said about a verified fact. */
export type PayNotifyVerdict =
  | PayNoticeRejection
  | 'result_fail'
  | 'accepted'
  | 'duplicate'
  | 'paid_after_close'
  | 'conflict'
  | 'unknown_order'
  | 'sign_type_mismatch'
  | 'amount_mismatch'
  | 'internal_error';

/** The verdicts a refund notify is answered by (the audit row says which outcome was applied, see below). */
export type RefundNotifyVerdict =
  | RefundNoticeRejection
  | 'bad_refund_status'
  | 'unknown_refund'
  | 'refund_order_mismatch'
  | 'amount_mismatch'
  | 'accepted'
  | 'duplicate'
  | 'internal_error';

/**
 * The audit row of an applied refund notify names the outcome: `accepted_success`, `accepted_refundclose` … A
 * SUCCESS for a refund already marked CLOSED/ABNORMAL is `success_after_close` (applied) or
 * `success_after_close_unapplied` (it would have refunded more than was paid); both are alerted.
 */
export type RefundAuditVerdict =
  | Exclude<RefundNotifyVerdict, 'accepted'>
  | `accepted_${'success' | 'refundclose' | 'change'}`
  | 'success_after_close'
  | 'success_after_close_unapplied';

export type NotifyVerdict = PayNotifyVerdict | RefundNotifyVerdict;

/** Every rejection of a notify's body is refused (WeChat retries). */
const BODY_REJECTIONS = {
  too_large: false,
  not_utf8: false,
  aborted: false,
  doctype: false,
  entity: false,
  xml_not_string: false,
  xml_empty: false,
  xml_too_large: false,
  xml_instruction: false,
  xml_not_well_formed: false,
  xml_wrong_root: false,
  xml_nested: false,
  xml_attributes: false,
  xml_duplicate: false,
  json_not_well_formed: false,
  json_wrong_shape: false,
} as const satisfies Record<BodyVerdict, false>;

const SIGNED_REJECTIONS = {
  missing_signature_headers: false,
  bad_timestamp: false,
  stale_timestamp: false,
  unknown_serial: false,
  signature_probe: false,
  bad_signature: false,
  bad_resource: false,
} as const satisfies Record<SignedNoticeRejection, false>;

/** Every rejection by a reader is refused: the business code spreads these into its acknowledgement records. */
export const PAY_NOTICE_REJECTIONS = {
  ...BODY_REJECTIONS,
  ...SIGNED_REJECTIONS,
  return_fail: false,
  missing_sign: false,
  bad_sign_type: false,
  wrong_appid: false,
  wrong_mch_id: false,
  missing_fields: false,
} as const satisfies Record<PayNoticeRejection, false>;

export const REFUND_NOTICE_REJECTIONS = {
  ...BODY_REJECTIONS,
  ...SIGNED_REJECTIONS,
  return_fail: false,
  wrong_appid: false,
  wrong_mch_id: false,
  bad_req_info: false,
  missing_fields: false,
} as const satisfies Record<RefundNoticeRejection, false>;

/** Ids a notify carried, kept with its audit row even when it is refused. */
export interface NoticeIds {
  outTradeNo?: string;
  /** The transaction id (pay) or refund id (refund). */
  transactionId?: string;
}

/** A verified payment notify for this merchant. */
export type PayNotice =
  | {
      outcome: 'paid';
      outTradeNo: string;
      transactionId: string;
      amountFen: number;
      /** ISO-8601 UTC; undefined when WeChat's time could not be read (the receive time is used). */
      paidAt: string | undefined;
      payerOpenId: string | undefined;
      /** The scheme the notify was signed with: it must be the order's. */
      signScheme: SignScheme;
    }
  /** Genuine, but the payment did not succeed: nothing to move (the sweep reconciles the order). */
  | { outcome: 'failed'; ids: NoticeIds };

/** A verified refund notify for this merchant. `outcome` undefined: a status this code does not know. */
export interface RefundNotice {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string | undefined;
  amountFen: number;
  outcome: RefundOutcome | undefined;
}

export type NoticeReading<N, R> = { ok: true; notice: N } | { ok: false; verdict: R; ids: NoticeIds };

/** The answer for WeChat, decided by the business code (pay/notify-verdicts.ts), worded by the gateway. */
export type NotifyAcknowledgement =
  | { kind: 'pay'; verdict: PayNotifyVerdict; acknowledged: boolean }
  | { kind: 'refund'; verdict: RefundNotifyVerdict; acknowledged: boolean };

/** The HTTP reply to a notify, in the protocol's own format. */
export interface NotifyReply {
  status: number;
  contentType: string;
  body: string;
}

export interface PayGateway {
  /** The protocol's name, for logs (`v2`, `v3`). */
  readonly protocol: string;
  /** The scheme this gateway places new orders with. */
  readonly signScheme: SignScheme;
  /** Every scheme whose orders this gateway can query, close, refund and verify notifies for. */
  readonly signSchemes: readonly SignScheme[];
  /** Whether a notify body is in this protocol's format (v2: XML; v3: JSON). */
  recognises(notify: NotifyRequest): boolean;
  /**
   * Whether a notify that reached the PAYMENT notify URL is a refund notify (unverified, for routing only: its reader
   * verifies it). Refunds started in the merchant console are notified to the order's notify URL.
   */
  carriesRefund(notify: NotifyRequest): boolean;

  prepay(request: PrepayRequest): Promise<Prepay>;
  /** `once`: a single attempt, no retries (a user is waiting; the sweep retries properly). */
  queryOrder(outTradeNo: string, options?: { once?: boolean }): Promise<OrderAtWechat>;
  closeOrder(outTradeNo: string): Promise<CloseAtWechat>;
  /** Resolves with WeChat's refund id; a refusal (WechatRefusedError) means WeChat did not take it. */
  refund(request: RefundRequest): Promise<{ refundId: string }>;
  queryRefund(outRefundNo: string, outTradeNo: string): Promise<RefundAtWechat>;

  readPayNotice(notify: NotifyRequest): Promise<NoticeReading<PayNotice, PayNoticeRejection>>;
  readRefundNotice(notify: NotifyRequest): Promise<NoticeReading<RefundNotice, RefundNoticeRejection>>;
  acknowledge(answer: NotifyAcknowledgement): NotifyReply;
  /** The H5's `chooseWXPay` parameters for a prepay (signed with this gateway's scheme). */
  payParams(prepay: Prepay, nowMs: number): JsapiPayParamsView;
}
