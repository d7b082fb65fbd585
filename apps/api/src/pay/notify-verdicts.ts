/**
 * Every verdict a notify can get is a type (wechat/pay/pay-gateway.ts: the readers' rejections, then what the order
 * said about a verified fact). Here the business code decides, for each, whether WeChat is told the notify was
 * taken (it stops retrying) or not (it retries); the gateway words the reply in its protocol. Each mapping is a
 * `Record<…>` checked with `satisfies`, so a new verdict does not compile until it has its own answer (it cannot
 * fall into someone else's `default`).
 */
import {
  PAY_NOTICE_REJECTIONS,
  REFUND_NOTICE_REJECTIONS,
  type PayNotifyVerdict,
  type RefundNotifyVerdict,
} from '../wechat/pay/pay-gateway';

export const PAY_NOTIFY_ACKNOWLEDGED = {
  // Whatever a reader rejects is refused (WeChat retries; a forger gets nothing).
  ...PAY_NOTICE_REJECTIONS,
  // A genuine (verified) notify that a payment did not succeed: nothing to move, and nothing a retry would change,
  // so it is acknowledged and recorded; the order stays PENDING and the sweep reconciles it.
  result_fail: true,
  accepted: true,
  duplicate: true,
  paid_after_close: true,
  conflict: false,
  unknown_order: false,
  sign_type_mismatch: false,
  amount_mismatch: false,
  internal_error: false,
} satisfies Record<PayNotifyVerdict, boolean>;

export const REFUND_NOTIFY_ACKNOWLEDGED = {
  ...REFUND_NOTICE_REJECTIONS,
  bad_refund_status: false,
  unknown_refund: false,
  refund_order_mismatch: false,
  amount_mismatch: false,
  accepted: true,
  duplicate: true,
  internal_error: false,
} satisfies Record<RefundNotifyVerdict, boolean>;
