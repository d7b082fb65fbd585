import type { AppDeps } from '../deps';
import type { PayGateways } from '../wechat/pay/create-pay-gateways';
import { applyPayment, createFastPay, payPendingIfMatches, type PaymentOutcome } from './apply-payment';
import { createGroupCommitter } from './group-commit';
import type { PayNotifyVerdict } from '../wechat/pay/pay-gateway';
import { PAY_NOTIFY_ACKNOWLEDGED } from './notify-verdicts';
import { isoAt } from '../store/iso-at';
import {
  answerNotify,
  recordNotification,
  type JudgedNotify,
  type NotifyHandler,
} from './record-notification';

type PayNotifyDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now'> & { gateways: PayGateways };

/**
 * The payment notify (`POST /api/wechat/pay/callback`), product.md §7: the gateway whose format the body is in
 * reads it (raw body and headers) into a verified fact or a rejection; every notify is recorded in
 * pay_notifications with its verdict; only a verified notify for one of our orders, signed with the scheme the
 * order was placed with and carrying its exact amount, can move it — and the acknowledgement is returned only
 * after the transaction that records it and moves the order has committed. Any unexpected error is a FAIL
 * (WeChat retries), never an acknowledgement.
 */
export function createPayNotifyHandler(deps: PayNotifyDeps): NotifyHandler {
  const { db, logger } = deps;
  const committer = createGroupCommitter(db);
  const fastPay = createFastPay(db, committer, logger);
  type Judged = JudgedNotify<PayNotifyVerdict>;

  const frame = { ...deps, refusalSamplesPerHour: deps.config.limits.notifyRefusalSamplesPerHour };
  return answerNotify('pay', frame, PAY_NOTIFY_ACKNOWLEDGED, async (gateway, notify): Promise<Judged> => {
    const reading = await gateway.readPayNotice(notify);
    if (!reading.ok) return { verdict: reading.verdict, ...reading.ids };
    const notice = reading.notice;
    // Genuine, but the payment did not succeed: acknowledged and recorded (PAY_NOTIFY_ACKNOWLEDGED); nothing moves.
    if (notice.outcome === 'failed') return { verdict: 'result_fail', ...notice.ids };

    const { outTradeNo, transactionId, rawBody } = { ...notice, rawBody: notify.rawBody };
    const ids = { outTradeNo: outTradeNo.slice(0, 64), transactionId: transactionId.slice(0, 64) };
    const nowMs = deps.now();
    const fact = {
      outTradeNo,
      transactionId,
      paidAt: notice.paidAt ?? isoAt(nowMs),
      now: isoAt(nowMs),
      source: 'notify',
    };
    const recordOf = (verdict: PayNotifyVerdict) => ({
      kind: 'pay' as const,
      rawBody,
      headers: notify.headers,
      verdict,
      outTradeNo,
      transactionId,
      receivedAt: isoAt(nowMs),
    });
    const record = (trx: Parameters<typeof recordNotification>[0], verdict: PayNotifyVerdict) =>
      recordNotification(trx, recordOf(verdict));

    // The common case, a first delivery for a PENDING order with its exact amount and scheme: the transition and its
    // audit row in one write shared with the notifies that arrive meanwhile (createFastPay). The reply follows the
    // commit.
    const guard = { amountFen: notice.amountFen, signScheme: notice.signScheme };
    if (await fastPay({ ...fact, ...guard }, recordOf('accepted'))) {
      logger.debug({ outTradeNo, transactionId, source: 'notify' }, 'order paid');
      return { verdict: 'accepted', committed: true, ...ids };
    }

    // Anything else — or a fast write that failed: one transaction (shared with the notifies that arrive
    // meanwhile, see group-commit.ts): the checks against the order, the audit row and the transition commit
    // together, or none of it does. The reply follows the commit.
    const verdict = await committer.run(outTradeNo, async (trx): Promise<PayNotifyVerdict> => {
      if (await payPendingIfMatches(trx, fact, guard, logger)) {
        await record(trx, 'accepted');
        return 'accepted';
      }
      const order = await trx
        .selectFrom('orders')
        .select(['amount_fen', 'sign_scheme', 'openid'])
        .where('out_trade_no', '=', outTradeNo)
        .executeTakeFirst();
      let result: PayNotifyVerdict;
      if (!order) result = 'unknown_order';
      else if (notice.signScheme !== order.sign_scheme) result = 'sign_type_mismatch';
      else if (notice.amountFen !== order.amount_fen) {
        logger.warn(
          { outTradeNo, totalFee: notice.amountFen, amountFen: order.amount_fen },
          'notify amount differs from the order: refused',
        );
        result = 'amount_mismatch';
      } else {
        if (notice.payerOpenId !== undefined && notice.payerOpenId !== order.openid) {
          logger.warn({ outTradeNo }, 'notify openid differs from the order owner (paid by someone else?)');
        }
        const outcome: PaymentOutcome = await applyPayment(trx, fact, logger);
        result = outcome === 'paid' ? 'accepted' : outcome === 'not_found' ? 'unknown_order' : outcome;
      }
      await record(trx, result);
      return result;
    });
    return { verdict, committed: true, ...ids };
  });
}
