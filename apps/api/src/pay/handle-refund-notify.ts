import type { AppDeps } from '../deps';
import type { PayGateways } from '../wechat/pay/create-pay-gateways';
import { REFUND_NOTIFY_ACKNOWLEDGED } from './notify-verdicts';
import { isoAt } from '../store/iso-at';
import {
  answerNotify,
  recordNotification,
  type JudgedNotify,
  type NotifyHandler,
} from './record-notification';
import { applyRefundOutcome } from './refund-service';
import type { RefundAuditVerdict, RefundNotifyVerdict, RefundOutcome } from '../wechat/pay/pay-gateway';

type RefundNotifyDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now' | 'metrics'> & {
  gateways: PayGateways;
};

/** The audit row of an applied refund notify names the outcome it applied. */
const AUDIT_VERDICTS = {
  SUCCESS: 'accepted_success',
  CLOSED: 'accepted_refundclose',
  ABNORMAL: 'accepted_change',
} as const satisfies Record<RefundOutcome, RefundAuditVerdict>;

/**
 * The refund notify (`POST /api/wechat/pay/refund-callback`): the gateway reads it into a verified fact (v2:
 * the encrypted payload decrypts with our key, which is what authenticates it); the refund must exist, belong to that order
 * and carry its exact amount. Every notify is recorded (kind 'refund'); the refund row moves once, so replays
 * change nothing and are acknowledged.
 */
export function createRefundNotifyHandler(deps: RefundNotifyDeps): NotifyHandler {
  const { db, logger } = deps;
  type Judged = JudgedNotify<RefundNotifyVerdict>;

  return answerNotify(
    'refund',
    { ...deps, refusalSamplesPerHour: deps.config.limits.notifyRefusalSamplesPerHour },
    REFUND_NOTIFY_ACKNOWLEDGED,
    async (gateway, notify): Promise<Judged> => {
      const reading = await gateway.readRefundNotice(notify);
      if (!reading.ok) return { verdict: reading.verdict, ...reading.ids };
      const notice = reading.notice;
      const { outRefundNo, outTradeNo } = notice;
      const ids = { outTradeNo, ...(notice.refundId ? { transactionId: notice.refundId } : {}) };
      const findRefund = () =>
        db.selectFrom('refunds').selectAll().where('out_refund_no', '=', outRefundNo).executeTakeFirst();
      let refund = await findRefund();
      if (!refund && notice.outcome) {
        // A refund this api never asked for, verified as WeChat's, of one of our paid orders: started in the merchant
        // console (商户平台 → 交易中心 → 退款). The money went (or did not): recorded as a refund of that order and
        // applied like ours. A copy arriving at the same time finds the row inserted (the insert does nothing).
        const order = await db
          .selectFrom('orders')
          .select('status')
          .where('out_trade_no', '=', outTradeNo)
          .executeTakeFirst();
        if (order && (order.status === 'PAID' || order.status === 'REFUNDED')) {
          const now = isoAt(deps.now());
          await db
            .insertInto('refunds')
            .values({
              out_refund_no: outRefundNo,
              out_trade_no: outTradeNo,
              amount_fen: notice.amountFen,
              reason: null,
              status: 'PROCESSING',
              refund_id: notice.refundId ?? null,
              created_at: now,
              updated_at: now,
            })
            .onConflict((conflict) => conflict.column('out_refund_no').doNothing())
            .execute();
          logger.warn(
            { outRefundNo, outTradeNo },
            'a refund started outside this api (merchant console) recorded',
          );
          refund = await findRefund();
        }
      }
      if (!refund) return { verdict: 'unknown_refund', ...ids };
      if (refund.out_trade_no !== outTradeNo) return { verdict: 'refund_order_mismatch', ...ids };
      if (notice.amountFen !== refund.amount_fen) {
        logger.warn(
          { outRefundNo, refundFee: notice.amountFen, amountFen: refund.amount_fen },
          'refund notify amount differs',
        );
        return { verdict: 'amount_mismatch', ...ids };
      }
      const outcome = notice.outcome;
      if (!outcome) return { verdict: 'bad_refund_status', ...ids };
      const now = isoAt(deps.now());
      const changed = await db.transaction().execute(async (trx) => {
        const applied = await applyRefundOutcome(trx, refund, outcome, notice.refundId, now, deps);
        await recordNotification(trx, {
          kind: 'refund',
          rawBody: notify.rawBody,
          headers: notify.headers,
          verdict: applied === 'applied' ? AUDIT_VERDICTS[outcome] : applied,
          outTradeNo,
          transactionId: notice.refundId ?? null,
          receivedAt: now,
        });
        // A late SUCCESS is genuine and final: acknowledged (WeChat's retries would change nothing), and alerted.
        return applied !== 'duplicate';
      });
      return { verdict: changed ? 'accepted' : 'duplicate', committed: true, ...ids };
    },
  );
}
