import { buildXmlReply } from '@wxh5/wechat-core';
import type {
  BodyVerdict,
  NotifyAcknowledgement,
  NotifyReply,
  PayNotifyVerdict,
  RefundNotifyVerdict,
  SignedNoticeRejection,
} from '../pay-gateway';

/** The `return_msg` of a refused v2 notify, for each verdict (an acknowledged one says `OK`). */
const INVALID_XML = 'invalid XML';
const BODY_MESSAGES = {
  too_large: 'too_large',
  not_utf8: 'not_utf8',
  aborted: 'aborted',
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
  json_not_well_formed: INVALID_XML,
  json_wrong_shape: INVALID_XML,
} satisfies Record<BodyVerdict, string>;

/** The v3 reader's refusals never reach a v2 reply in practice (the reply follows the reader); worded anyway. */
const SIGNED_MESSAGES = {
  missing_signature_headers: 'signature missing',
  bad_timestamp: 'signature missing',
  stale_timestamp: 'signature expired',
  unknown_serial: 'signature mismatch',
  signature_probe: 'signature mismatch',
  bad_signature: 'signature mismatch',
  bad_resource: 'resource does not decrypt',
} satisfies Record<SignedNoticeRejection, string>;

const PAY_MESSAGES = {
  ...BODY_MESSAGES,
  ...SIGNED_MESSAGES,
  return_fail: 'return_code is not SUCCESS',
  missing_sign: 'no sign',
  bad_sign_type: 'unknown sign_type',
  wrong_appid: 'appid mismatch',
  wrong_mch_id: 'mch_id mismatch',
  missing_fields: 'out_trade_no, transaction_id or total_fee missing',
  result_fail: 'OK',
  accepted: 'OK',
  duplicate: 'OK',
  paid_after_close: 'OK',
  conflict: 'order paid by another transaction',
  unknown_order: 'no such order',
  sign_type_mismatch: 'sign type differs from the order',
  amount_mismatch: 'total_fee mismatch',
  internal_error: 'temporary failure',
} satisfies Record<PayNotifyVerdict, string>;

const REFUND_MESSAGES = {
  ...BODY_MESSAGES,
  ...SIGNED_MESSAGES,
  return_fail: 'return_code is not SUCCESS',
  wrong_appid: 'appid mismatch',
  wrong_mch_id: 'mch_id mismatch',
  bad_req_info: 'req_info does not decrypt',
  missing_fields: 'req_info lacks out_refund_no, out_trade_no, refund_status or refund_fee',
  bad_refund_status: 'unknown refund_status',
  unknown_refund: 'no such refund',
  refund_order_mismatch: 'refund belongs to another order',
  amount_mismatch: 'refund_fee mismatch',
  accepted: 'OK',
  duplicate: 'OK',
  internal_error: 'temporary failure',
} satisfies Record<RefundNotifyVerdict, string>;

/** The v2 reply: XML `return_code` SUCCESS/FAIL with its `return_msg`. */
export function buildV2NotifyReply(answer: NotifyAcknowledgement): NotifyReply {
  const message = answer.kind === 'pay' ? PAY_MESSAGES[answer.verdict] : REFUND_MESSAGES[answer.verdict];
  return {
    // WeChat reads the XML, whatever the status; 413 tells a proxy (and a log) the body was too large.
    status: answer.verdict === 'too_large' ? 413 : 200,
    contentType: 'text/xml',
    body: buildXmlReply(answer.acknowledged ? 'SUCCESS' : 'FAIL', answer.acknowledged ? 'OK' : message),
  };
}
