import {
  XmlParseError,
  parsePayTime,
  parseXml,
  verifyV2,
  type SignType,
  type XmlParseErrorReason,
} from '@wxh5/wechat-core';
import type { AppDeps } from '../deps';
import { applyPayment, payPendingIfMatches, type PaymentOutcome } from './apply-payment';
import { createGroupCommitter } from './group-commit';
import { isoAt } from './order-views';
import type { RawBodyResult } from './read-raw-body';
import {
  PAY_NOTIFY_ANSWERS,
  type BodyVerdict,
  type PayNoticeRejection,
  type PayNotifyVerdict,
} from './notify-verdicts';
import {
  answerNotify,
  recordNotification,
  type JudgedNotify,
  type NotifyResult,
} from './record-notification';

type PayNotifyDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now'>;

const INTEGER = /^\d{1,12}$/;

type Judged = JudgedNotify<PayNotifyVerdict>;

/** parseXml's refusals as verdicts (stable values, kept from before the union). */
export const XML_VERDICTS = {
  doctype: 'doctype',
  entity: 'entity',
  not_string: 'xml_not_string',
  empty: 'xml_empty',
  too_large: 'xml_too_large',
  instruction: 'xml_instruction',
  not_well_formed: 'xml_not_well_formed',
  wrong_root: 'xml_wrong_root',
  nested: 'xml_nested',
  attributes: 'xml_attributes',
  duplicate: 'xml_duplicate',
} satisfies Record<XmlParseErrorReason, BodyVerdict>;

function reject(verdict: PayNoticeRejection, ids: Partial<Judged> = {}): Judged {
  return { verdict, ...ids };
}

/**
 * Which algorithm verifies this notify (product.md §7.2): its `sign_type` when present, else the signature's
 * length (32 → MD5, 64 → HMAC-SHA256), else the configured one. `null` = an unknown declared sign type.
 *
 * "Wrong sign type" — decided here, tested in test/notify.test.ts:
 * - `sign_type` names an algorithm the sign was not made with (says MD5, carries an HMAC) → the verification with
 *   the declared algorithm fails → FAIL `bad_signature`.
 * - `sign_type` is neither MD5 nor HMAC-SHA256 → FAIL `bad_sign_type`.
 * - the sign verifies, but with another algorithm than the one the ORDER was placed with (e.g. a correct MD5 sign
 *   while the order was placed with HMAC-SHA256) → FAIL `sign_type_mismatch`. WeChat signs a notify with the sign
 *   type of its unifiedorder, so anything else is not WeChat; refusing it also denies a downgrade to MD5.
 */
export function notifySignType(fields: Record<string, string>, configured: SignType): SignType | null {
  const declared = fields['sign_type'];
  if (declared !== undefined && declared !== '') {
    return declared === 'MD5' || declared === 'HMAC-SHA256' ? declared : null;
  }
  const sign = fields['sign'] ?? '';
  if (sign.length === 32) return 'MD5';
  if (sign.length === 64) return 'HMAC-SHA256';
  return configured;
}

/**
 * The v2 payment notify (`POST /api/wechat/pay/callback`), product.md §7, as a function of the raw body: every
 * notify is recorded in pay_notifications with its verdict; only a verified notify for one of our orders, with
 * the order's exact amount, can move it — and SUCCESS is returned only after the transaction that records it and
 * moves the order has committed. Any unexpected error is a FAIL (WeChat retries), never a SUCCESS.
 */
export function createPayNotifyHandler(deps: PayNotifyDeps): (body: RawBodyResult) => Promise<NotifyResult> {
  const { config, db, logger } = deps;
  const { appId, mchId, payKey, paySignType } = config.wechat;
  const committer = createGroupCommitter(db);

  async function judge(rawBody: string): Promise<Judged> {
    let fields: Record<string, string>;
    try {
      fields = parseXml(rawBody);
    } catch (error) {
      if (error instanceof XmlParseError) return reject(XML_VERDICTS[error.reason]);
      throw error;
    }
    const outTradeNo = fields['out_trade_no'];
    const transactionId = fields['transaction_id'];
    const ids = {
      ...(outTradeNo ? { outTradeNo: outTradeNo.slice(0, 64) } : {}),
      ...(transactionId ? { transactionId: transactionId.slice(0, 64) } : {}),
    };
    if (fields['return_code'] !== 'SUCCESS') return reject('return_fail', ids);

    if (!fields['sign']) return reject('missing_sign', ids);
    const signType = notifySignType(fields, paySignType);
    if (signType === null) return reject('bad_sign_type', ids);
    // verifyV2 compares in constant time (timingSafeEqual over the hex).
    if (!verifyV2(fields, payKey, signType)) return reject('bad_signature', ids);

    if (fields['appid'] !== appId) return reject('wrong_appid', ids);
    if (fields['mch_id'] !== mchId) return reject('wrong_mch_id', ids);

    if (fields['result_code'] !== 'SUCCESS') {
      // A genuine (verified) notify that a payment did not succeed: acknowledged and recorded (PAY_NOTIFY_ANSWERS).
      return { verdict: 'result_fail', ...ids };
    }
    if (!outTradeNo || !transactionId || !INTEGER.test(fields['total_fee'] ?? '')) {
      return reject('missing_fields', ids);
    }
    const totalFee = Number(fields['total_fee']);
    const nowMs = deps.now();
    let paidAt = isoAt(nowMs);
    const timeEnd = fields['time_end'];
    if (timeEnd) {
      try {
        paidAt = parsePayTime(timeEnd).toISOString();
      } catch {
        logger.warn({ outTradeNo, timeEnd }, 'notify time_end unreadable; using the receive time');
      }
    }

    // One transaction (shared with the notifies that arrive meanwhile, see group-commit.ts): the checks against
    // the order, the audit row and the transition commit together, or none of it does. The reply follows the
    // commit.
    const fact = { outTradeNo, transactionId, paidAt, now: isoAt(nowMs), source: 'notify' };
    const verdict = await committer.run(outTradeNo, async (trx): Promise<PayNotifyVerdict> => {
      if (await payPendingIfMatches(trx, fact, { amountFen: totalFee, signType }, logger)) {
        await recordNotification(trx, {
          kind: 'pay',
          rawBody,
          verdict: 'accepted',
          outTradeNo,
          transactionId,
          receivedAt: isoAt(nowMs),
        });
        return 'accepted';
      }
      const order = await trx
        .selectFrom('orders')
        .select(['amount_fen', 'sign_type', 'openid'])
        .where('out_trade_no', '=', outTradeNo)
        .executeTakeFirst();
      let result: PayNotifyVerdict;
      if (!order) result = 'unknown_order';
      else if (signType !== order.sign_type) result = 'sign_type_mismatch';
      else if (totalFee !== order.amount_fen) {
        logger.warn(
          { outTradeNo, totalFee, amountFen: order.amount_fen },
          'notify total_fee differs from the order: refused',
        );
        result = 'amount_mismatch';
      } else {
        if (fields['openid'] !== undefined && fields['openid'] !== order.openid) {
          logger.warn({ outTradeNo }, 'notify openid differs from the order owner (paid by someone else?)');
        }
        const outcome: PaymentOutcome = await applyPayment(trx, fact, logger);
        result = outcome === 'paid' ? 'accepted' : outcome === 'not_found' ? 'unknown_order' : outcome;
      }
      await recordNotification(trx, {
        kind: 'pay',
        rawBody,
        verdict: result,
        outTradeNo,
        transactionId,
        receivedAt: isoAt(nowMs),
      });
      return result;
    });
    return { verdict, committed: true, ...ids };
  }

  return answerNotify('pay', deps, PAY_NOTIFY_ANSWERS, judge);
}
