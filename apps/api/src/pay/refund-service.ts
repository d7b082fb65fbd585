import {
  ROUTES,
  type OrderStatus,
  type RefundRequest,
  type RefundStatus,
  type RefundView,
} from '@wxh5/contracts';
import { createOutTradeNo } from '@wxh5/wechat-core';
import { sql } from 'kysely';
import type { AppDeps } from '../deps';
import { apiError } from '../shared/api-error';
import type { RefundRow } from '../store/schema';
import { WechatRefusedError } from '../shared/wechat-error';
import type { PayGateways } from '../wechat/pay/create-pay-gateways';
import type { RefundOutcome } from '../wechat/pay/pay-gateway';
import { isoAt } from '../store/iso-at';
import { toRefundView } from './order-views';
import { reservedRefundsQuery } from './queries';

/** Refund statuses that hold part of the paid amount (the reservation). */
export const RESERVING_REFUND_STATUSES = ['PROCESSING', 'SUCCESS'] as const satisfies readonly RefundStatus[];

type RefundServiceDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now'>;

export interface RefundService {
  createRefund(outTradeNo: string, request: RefundRequest): Promise<RefundView>;
  /** Ask WeChat about a refund still PROCESSING and apply the answer (the sweep). */
  reconcileRefund(refund: RefundRow): Promise<void>;
}

/**
 * The outcome of a refund as WeChat reports it (refund notify or refundquery), applied once:
 * - SUCCESS: the refund row → SUCCESS, and only on that transition orders.refunded_fen += refund fee
 *   (→ REFUNDED when it reaches amount_fen; a partial refund keeps PAID).
 * - REFUNDCLOSE / CHANGE: PROCESSING → CLOSED / ABNORMAL, which releases the reservation.
 * Returns false when nothing changed (a replay).
 */
export async function applyRefundOutcome(
  db: RefundServiceDeps['db'],
  refund: Pick<RefundRow, 'out_refund_no' | 'out_trade_no' | 'amount_fen'>,
  outcome: RefundOutcome,
  refundId: string | undefined,
  now: string,
  logger: RefundServiceDeps['logger'],
): Promise<boolean> {
  if (outcome === 'SUCCESS') {
    // A SUCCESS after we had marked the refund CLOSED/ABNORMAL still means the money went back: apply it.
    const moved = await db
      .updateTable('refunds')
      .set({ status: 'SUCCESS', updated_at: now, ...(refundId ? { refund_id: refundId } : {}) })
      .where('out_refund_no', '=', refund.out_refund_no)
      .where('status', '!=', 'SUCCESS')
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) return false;
    await db
      .updateTable('orders')
      .set({
        refunded_fen: sql<number>`refunded_fen + ${refund.amount_fen}`,
        status: sql<OrderStatus>`case when refunded_fen + ${refund.amount_fen} >= amount_fen then 'REFUNDED' else status end`,
        updated_at: now,
      })
      .where('out_trade_no', '=', refund.out_trade_no)
      .execute();
    logger.info({ outRefundNo: refund.out_refund_no, outTradeNo: refund.out_trade_no }, 'refund succeeded');
    return true;
  }
  const moved = await db
    .updateTable('refunds')
    .set({ status: outcome, updated_at: now, ...(refundId ? { refund_id: refundId } : {}) })
    .where('out_refund_no', '=', refund.out_refund_no)
    .where('status', '=', 'PROCESSING')
    .executeTakeFirst();
  if (moved.numUpdatedRows > 0n) {
    logger.warn(
      { outRefundNo: refund.out_refund_no, outcome },
      'refund did not go through; reservation released',
    );
    return true;
  }
  return false;
}

export function createRefundService(deps: RefundServiceDeps, gateways: PayGateways): RefundService {
  const { config, db, logger } = deps;
  const notifyUrl = `${config.publicBaseUrl}${ROUTES.refundCallback}`;

  async function reserve(outTradeNo: string, request: RefundRequest): Promise<RefundRow> {
    const now = isoAt(deps.now());
    return db.transaction().execute(async (trx) => {
      // Touch the order row first: a row lock on PostgreSQL, the write lock on SQLite. Concurrent refunds of the
      // same order queue here, so the sum below cannot be read stale by two of them at once.
      const touched = await trx
        .updateTable('orders')
        .set({ updated_at: now })
        .where('out_trade_no', '=', outTradeNo)
        .executeTakeFirst();
      if (touched.numUpdatedRows === 0n) throw apiError('order_not_found', 'No such order.');
      const order = await trx
        .selectFrom('orders')
        .select(['status', 'amount_fen'])
        .where('out_trade_no', '=', outTradeNo)
        .executeTakeFirstOrThrow();
      if (order.status === 'REFUNDED') {
        throw apiError('refund_exceeds_paid', 'This order is already fully refunded.');
      }
      if (order.status !== 'PAID')
        throw apiError('order_not_paid', `Only a paid order can be refunded (it is ${order.status}).`);
      const reserved = await reservedRefundsQuery(
        trx,
        outTradeNo,
        RESERVING_REFUND_STATUSES,
      ).executeTakeFirstOrThrow();
      const reservedFen = Number(reserved.total);
      if (reservedFen + request.amountFen > order.amount_fen) {
        throw apiError(
          'refund_exceeds_paid',
          `Refunds would exceed the paid amount: ${reservedFen} of ${order.amount_fen} fen already refunded or in progress.`,
        );
      }
      // Stored before WeChat is called: a retry of this refund reuses the same out_refund_no.
      const row = {
        out_refund_no: createOutTradeNo(new Date(deps.now())),
        out_trade_no: outTradeNo,
        amount_fen: request.amountFen,
        reason: request.reason ?? null,
        status: 'PROCESSING' as const,
        refund_id: null,
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('refunds').values(row).execute();
      return trx
        .selectFrom('refunds')
        .selectAll()
        .where('out_refund_no', '=', row.out_refund_no)
        .executeTakeFirstOrThrow();
    });
  }

  /** Send a reserved refund to WeChat (first time, or again with the same out_refund_no). */
  async function submit(refund: RefundRow): Promise<RefundRow> {
    // The refund carries the order's full amount, which WeChat checks against the paid order.
    const order = await db
      .selectFrom('orders')
      .select(['amount_fen', 'sign_scheme'])
      .where('out_trade_no', '=', refund.out_trade_no)
      .executeTakeFirstOrThrow();
    try {
      const result = await gateways.forScheme(order.sign_scheme).refund({
        outTradeNo: refund.out_trade_no,
        outRefundNo: refund.out_refund_no,
        totalFen: order.amount_fen,
        refundFen: refund.amount_fen,
        ...(refund.reason ? { reason: refund.reason } : {}),
        notifyUrl,
      });
      await db
        .updateTable('refunds')
        .set({ refund_id: result.refundId, updated_at: isoAt(deps.now()) })
        .where('out_refund_no', '=', refund.out_refund_no)
        .execute();
    } catch (err) {
      if (err instanceof WechatRefusedError) {
        // WeChat definitely did not accept it: release the reservation.
        await db
          .updateTable('refunds')
          .set({ status: 'CLOSED', updated_at: isoAt(deps.now()) })
          .where('out_refund_no', '=', refund.out_refund_no)
          .where('status', '=', 'PROCESSING')
          .execute();
      } else {
        // Unknown outcome (timeout, bad response): the reservation stays; the sweep asks WeChat (refundquery) and
        // re-submits with the same out_refund_no if WeChat never saw it.
        logger.warn({ err, outRefundNo: refund.out_refund_no }, 'refund outcome unknown; kept PROCESSING');
      }
      throw err;
    }
    return db
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', refund.out_refund_no)
      .executeTakeFirstOrThrow();
  }

  return {
    async createRefund(outTradeNo, request) {
      const refund = await reserve(outTradeNo, request);
      return toRefundView(await submit(refund));
    },

    async reconcileRefund(refund) {
      const order = await db
        .selectFrom('orders')
        .select('sign_scheme')
        .where('out_trade_no', '=', refund.out_trade_no)
        .executeTakeFirstOrThrow();
      const answer = await gateways
        .forScheme(order.sign_scheme)
        .queryRefund(refund.out_refund_no, refund.out_trade_no);
      if (answer.state === 'unknown') {
        // WeChat never saw it (the first submit was lost): send it again, same out_refund_no.
        await submit(refund);
        return;
      }
      if (answer.state === 'processing') return;
      await db
        .transaction()
        .execute((trx) =>
          applyRefundOutcome(trx, refund, answer.outcome, answer.refundId, isoAt(deps.now()), logger),
        );
    },
  };
}
