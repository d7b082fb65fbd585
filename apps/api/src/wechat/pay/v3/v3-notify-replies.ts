import type {
  BodyVerdict,
  NotifyAcknowledgement,
  NotifyReply,
  PayNotifyVerdict,
  RefundNotifyVerdict,
  SignedNoticeRejection,
} from '../pay-gateway';

/**
 * The v3 reply: acknowledged → 200 `{"code":"SUCCESS"}`; refused → a 4xx (5xx for our own failure) with
 * `{"code":"FAIL","message":…}` — WeChat reads the status and retries anything that is not 2xx. Each verdict has
 * its status and words here (records checked with `satisfies`: a new verdict does not compile without them).
 */
interface Refusal {
  status: number;
  message: string;
}

const INVALID_BODY: Refusal = { status: 400, message: 'invalid body' };
const BODY_REFUSALS = {
  too_large: { status: 413, message: 'body too large' },
  not_utf8: { status: 400, message: 'body is not UTF-8' },
  aborted: { status: 400, message: 'body aborted' },
  doctype: INVALID_BODY,
  entity: INVALID_BODY,
  xml_not_string: INVALID_BODY,
  xml_empty: INVALID_BODY,
  xml_too_large: INVALID_BODY,
  xml_instruction: INVALID_BODY,
  xml_not_well_formed: INVALID_BODY,
  xml_wrong_root: INVALID_BODY,
  xml_nested: INVALID_BODY,
  xml_attributes: INVALID_BODY,
  xml_duplicate: INVALID_BODY,
  json_not_well_formed: { status: 400, message: 'body is not JSON' },
  json_wrong_shape: { status: 400, message: 'not a WeChat Pay notification' },
} satisfies Record<BodyVerdict, Refusal>;

const SIGNED_REFUSALS = {
  missing_signature_headers: { status: 401, message: 'Wechatpay signature headers missing' },
  bad_timestamp: { status: 401, message: 'bad Wechatpay-Timestamp' },
  stale_timestamp: { status: 401, message: 'Wechatpay-Timestamp too far from now' },
  unknown_serial: { status: 401, message: 'unknown Wechatpay-Serial' },
  signature_probe: { status: 401, message: 'signature verification failed' },
  bad_signature: { status: 401, message: 'signature verification failed' },
  bad_resource: { status: 400, message: 'resource does not decrypt' },
} satisfies Record<SignedNoticeRejection, Refusal>;

const OK: Refusal = { status: 200, message: 'OK' };
const INTERNAL: Refusal = { status: 500, message: 'temporary failure' };

const PAY_REPLIES = {
  ...BODY_REFUSALS,
  ...SIGNED_REFUSALS,
  return_fail: { status: 400, message: 'not a successful notification' },
  missing_sign: SIGNED_REFUSALS.missing_signature_headers,
  bad_sign_type: SIGNED_REFUSALS.bad_signature,
  wrong_appid: { status: 400, message: 'appid mismatch' },
  wrong_mch_id: { status: 400, message: 'mchid mismatch' },
  missing_fields: { status: 400, message: 'out_trade_no, transaction_id or amount.total missing' },
  result_fail: OK,
  accepted: OK,
  duplicate: OK,
  paid_after_close: OK,
  conflict: { status: 409, message: 'order paid by another transaction' },
  unknown_order: { status: 404, message: 'no such order' },
  sign_type_mismatch: { status: 400, message: 'sign scheme differs from the order' },
  amount_mismatch: { status: 400, message: 'amount.total mismatch' },
  internal_error: INTERNAL,
} satisfies Record<PayNotifyVerdict, Refusal>;

const REFUND_REPLIES = {
  ...BODY_REFUSALS,
  ...SIGNED_REFUSALS,
  return_fail: { status: 400, message: 'not a successful notification' },
  wrong_appid: { status: 400, message: 'appid mismatch' },
  wrong_mch_id: { status: 400, message: 'mchid mismatch' },
  bad_req_info: SIGNED_REFUSALS.bad_resource,
  missing_fields: {
    status: 400,
    message: 'out_refund_no, out_trade_no, refund_status or amount.refund missing',
  },
  bad_refund_status: { status: 400, message: 'unknown refund_status' },
  unknown_refund: { status: 404, message: 'no such refund' },
  refund_order_mismatch: { status: 400, message: 'refund belongs to another order' },
  amount_mismatch: { status: 400, message: 'amount.refund mismatch' },
  accepted: OK,
  duplicate: OK,
  internal_error: INTERNAL,
} satisfies Record<RefundNotifyVerdict, Refusal>;

export function buildV3NotifyReply(answer: NotifyAcknowledgement): NotifyReply {
  if (answer.acknowledged) {
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ code: 'SUCCESS' }) };
  }
  const refusal = answer.kind === 'pay' ? PAY_REPLIES[answer.verdict] : REFUND_REPLIES[answer.verdict];
  // A verdict the business code refuses is never answered 2xx, even where its words say OK.
  const status = refusal.status >= 400 ? refusal.status : 400;
  return {
    status,
    contentType: 'application/json',
    body: JSON.stringify({ code: 'FAIL', message: refusal.message }),
  };
}
