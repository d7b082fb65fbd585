/**
 * Every verdict a notify can get, as types: what is written to `pay_notifications.verdict` and what decides the
 * answer. Each mapping over them is a `Record<…>` checked with `satisfies`, so a new verdict does not compile until
 * it has its own answer (it cannot fall into someone else's `default`).
 */

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
  | 'xml_duplicate';

/** A payment notify that is not a verified fact from WeChat for this merchant. */
export type PayNoticeRejection =
  | BodyVerdict
  | 'return_fail'
  | 'missing_sign'
  | 'bad_sign_type'
  | 'bad_signature'
  | 'wrong_appid'
  | 'wrong_mch_id'
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

/** A refund notify that is not a verified fact from WeChat for this merchant. */
export type RefundNoticeRejection =
  | BodyVerdict
  | 'return_fail'
  | 'wrong_appid'
  | 'wrong_mch_id'
  | 'bad_req_info'
  | 'missing_fields'
  | 'bad_refund_status';

/** The verdicts a refund notify is answered by (the audit row says which outcome was applied, see below). */
export type RefundNotifyVerdict =
  | RefundNoticeRejection
  | 'unknown_refund'
  | 'refund_order_mismatch'
  | 'amount_mismatch'
  | 'accepted'
  | 'duplicate'
  | 'internal_error';

/** The audit row of an applied refund notify names the outcome: `accepted_success`, `accepted_refundclose` … */
export type RefundAuditVerdict =
  Exclude<RefundNotifyVerdict, 'accepted'> | `accepted_${'success' | 'refundclose' | 'change'}`;

export type NotifyVerdict = PayNotifyVerdict | RefundNotifyVerdict;

/** What WeChat is told: acknowledged (it stops retrying) or refused (it retries), and the words of the reply. */
export interface NotifyAnswer {
  acknowledged: boolean;
  message: string;
}

const OK: NotifyAnswer = { acknowledged: true, message: 'OK' };
const refuse = (message: string): NotifyAnswer => ({ acknowledged: false, message });
const INVALID_XML = refuse('invalid XML');

const BODY_ANSWERS = {
  too_large: refuse('too_large'),
  not_utf8: refuse('not_utf8'),
  aborted: refuse('aborted'),
  doctype: INVALID_XML,
  entity: INVALID_XML,
  xml_not_string: INVALID_XML,
  xml_empty: INVALID_XML,
  xml_too_large: INVALID_XML,
  xml_instruction: INVALID_XML,
  xml_not_well_formed: INVALID_XML,
  xml_wrong_root: INVALID_XML,
  xml_nested: INVALID_XML,
  xml_attributes: INVALID_XML,
  xml_duplicate: INVALID_XML,
} satisfies Record<BodyVerdict, NotifyAnswer>;

const TEMPORARY = refuse('temporary failure');

export const PAY_NOTIFY_ANSWERS = {
  ...BODY_ANSWERS,
  return_fail: refuse('return_code is not SUCCESS'),
  missing_sign: refuse('no sign'),
  bad_sign_type: refuse('unknown sign_type'),
  bad_signature: refuse('signature mismatch'),
  wrong_appid: refuse('appid mismatch'),
  wrong_mch_id: refuse('mch_id mismatch'),
  missing_fields: refuse('out_trade_no, transaction_id or total_fee missing'),
  // A genuine (verified) notify that a payment did not succeed: nothing to move, and nothing a retry would change,
  // so it is acknowledged and recorded; the order stays PENDING and the sweep reconciles it.
  result_fail: OK,
  accepted: OK,
  duplicate: OK,
  paid_after_close: OK,
  conflict: refuse('order paid by another transaction'),
  unknown_order: refuse('no such order'),
  sign_type_mismatch: refuse('sign type differs from the order'),
  amount_mismatch: refuse('total_fee mismatch'),
  internal_error: TEMPORARY,
} satisfies Record<PayNotifyVerdict, NotifyAnswer>;

export const REFUND_NOTIFY_ANSWERS = {
  ...BODY_ANSWERS,
  return_fail: refuse('return_code is not SUCCESS'),
  wrong_appid: refuse('appid mismatch'),
  wrong_mch_id: refuse('mch_id mismatch'),
  bad_req_info: refuse('req_info does not decrypt'),
  missing_fields: refuse('req_info lacks out_refund_no, out_trade_no, refund_status or refund_fee'),
  bad_refund_status: refuse('unknown refund_status'),
  unknown_refund: refuse('no such refund'),
  refund_order_mismatch: refuse('refund belongs to another order'),
  amount_mismatch: refuse('refund_fee mismatch'),
  accepted: OK,
  duplicate: OK,
  internal_error: TEMPORARY,
} satisfies Record<RefundNotifyVerdict, NotifyAnswer>;
