import {
  ROUTES,
  type OrderStatus,
  type RefundRequest,
  type RefundStatus,
  type RefundView,
} from '@wxh5/contracts';
import { createHash } from 'node:crypto';
import { createOutTradeNo } from '@wxh5/wechat-core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AppDeps } from '../deps';
import { ApiError, apiError } from '../shared/api-error';
import type { Database, RefundRow } from '../store/schema';
import { WechatRefusedError, WechatUnavailableError } from '../shared/wechat-error';
import type { PayGateways } from '../wechat/pay/create-pay-gateways';
import type { RefundOutcome } from '../wechat/pay/pay-gateway';
import { isoAt } from '../store/iso-at';
import { toRefundView } from './order-views';
import { reservedRefundsQuery } from './queries';
import { recordNotification } from './record-notification';

/** Refund statuses that hold part of the paid amount (the reservation). */
export const RESERVING_REFUND_STATUSES = ['PROCESSING', 'SUCCESS'] as const satisfies readonly RefundStatus[];

type RefundServiceDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now' | 'metrics'>;
type Executor = Kysely<Database> | Transaction<Database>;

/** What a refund request came with besides its body: the admin's `Idempotency-Key`, if any. */
export interface RefundRequestOptions {
  idempotencyKey?: string | undefined;
}

/** The refund, and whether this request found it (a retry with the same key) rather than made it. */
export interface RefundResult {
  refund: RefundView;
  replayed: boolean;
}

export interface RefundService {
  createRefund(
    outTradeNo: string,
    request: RefundRequest,
    options?: RefundRequestOptions,
  ): Promise<RefundResult>;
  /** Ask WeChat about a refund still PROCESSING and apply the answer (the sweep). Skips one being submitted. */
  reconcileRefund(refund: RefundRow): Promise<void>;
}

/**
 * - `applied`: this call made the transition (PROCESSING → SUCCESS/CLOSED/ABNORMAL).
 * - `duplicate`: already in that state (a replay); nothing changed.
 * - `success_after_close`: WeChat reports SUCCESS for a refund we had marked CLOSED/ABNORMAL (its reservation was
 *   released). The money did go back, so it is applied — alerted, because the released amount may have been
 *   promised to another refund meanwhile.
 * - `success_after_close_unapplied`: the same, but applying it would make refunded_fen exceed amount_fen; nothing
 *   changed, alerted: a person must reconcile it with WeChat's bill.
 */
export type RefundApplied = 'applied' | 'duplicate' | 'success_after_close' | 'success_after_close_unapplied';

/**
 * The outcome of a refund as WeChat reports it (refund notify or refundquery), applied once:
 * - SUCCESS: the refund row → SUCCESS, and only on that transition orders.refunded_fen += refund fee
 *   (→ REFUNDED when it reaches amount_fen; a partial refund keeps PAID). refunded_fen never exceeds amount_fen: the
 *   order's UPDATE is guarded, and a SUCCESS it would push over is not applied (alerted).
 * - REFUNDCLOSE / CHANGE: PROCESSING → CLOSED / ABNORMAL, which releases the reservation.
 */
export async function applyRefundOutcome(
  db: Executor,
  refund: Pick<RefundRow, 'out_refund_no' | 'out_trade_no' | 'amount_fen'>,
  outcome: RefundOutcome,
  refundId: string | undefined,
  now: string,
  deps: Pick<RefundServiceDeps, 'logger' | 'metrics'>,
): Promise<RefundApplied> {
  const { logger } = deps;
  const context = { outRefundNo: refund.out_refund_no, outTradeNo: refund.out_trade_no };
  if (outcome !== 'SUCCESS') {
    const moved = await db
      .updateTable('refunds')
      .set({ status: outcome, updated_at: now, ...(refundId ? { refund_id: refundId } : {}) })
      .where('out_refund_no', '=', refund.out_refund_no)
      .where('status', '=', 'PROCESSING')
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) return 'duplicate';
    deps.metrics.refunds.inc({ status: outcome });
    logger.warn({ ...context, outcome }, 'refund did not go through; reservation released');
    return 'applied';
  }
  const current = await db
    .selectFrom('refunds')
    .select('status')
    .where('out_refund_no', '=', refund.out_refund_no)
    .executeTakeFirst();
  if (!current || current.status === 'SUCCESS') return 'duplicate';
  const lateSuccess = current.status !== 'PROCESSING';
  // The refund row first, conditionally: of two callers applying the same SUCCESS (a notify and the sweep), one
  // moves it and the other sees 0 rows — only the mover touches the order.
  const moved = await db
    .updateTable('refunds')
    .set({ status: 'SUCCESS', updated_at: now, ...(refundId ? { refund_id: refundId } : {}) })
    .where('out_refund_no', '=', refund.out_refund_no)
    .where('status', '=', current.status)
    .executeTakeFirst();
  if (moved.numUpdatedRows === 0n) return 'duplicate';
  // Then the order, guarded: refunded_fen + this refund must fit in amount_fen.
  const added = await db
    .updateTable('orders')
    .set({
      refunded_fen: sql<number>`refunded_fen + ${refund.amount_fen}`,
      status: sql<OrderStatus>`case when refunded_fen + ${refund.amount_fen} >= amount_fen then 'REFUNDED' else status end`,
      updated_at: now,
    })
    .where('out_trade_no', '=', refund.out_trade_no)
    .where(sql<boolean>`refunded_fen + ${refund.amount_fen} <= amount_fen`)
    .executeTakeFirst();
  if (added.numUpdatedRows === 0n) {
    // Put the refund back as it was (same transaction): the books stay as they were, and a person decides.
    await db
      .updateTable('refunds')
      .set({ status: current.status })
      .where('out_refund_no', '=', refund.out_refund_no)
      .execute();
    deps.metrics.refundAnomalies.inc({ kind: 'exceeds_paid' });
    logger.error(
      { ...context, status: current.status, amountFen: refund.amount_fen },
      'REFUND SUCCESS NOT APPLIED: it would refund more than the order was paid; reconcile with the WeChat bill by hand',
    );
    return 'success_after_close_unapplied';
  }
  deps.metrics.refunds.inc({ status: 'SUCCESS' });
  if (lateSuccess) {
    deps.metrics.refundAnomalies.inc({ kind: 'success_after_closed' });
    logger.error(
      { ...context, was: current.status, amountFen: refund.amount_fen },
      'REFUND SUCCESS AFTER CLOSED: WeChat refunded a refund we had released; applied — check the order by hand',
    );
    return 'success_after_close';
  }
  logger.info(context, 'refund succeeded');
  return 'applied';
}

/** SHA-256 (hex) of what a refund asks for: the same key must come with the same request. */
export function refundRequestDigest(outTradeNo: string, request: RefundRequest): string {
  const canonical = JSON.stringify([outTradeNo, request.amountFen, request.reason ?? null]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export function createRefundService(deps: RefundServiceDeps, gateways: PayGateways): RefundService {
  const { config, db, logger } = deps;
  const notifyUrl = `${config.publicBaseUrl}${ROUTES.refundCallback}`;
  /**
   * How long one submit may be in flight: every attempt of the WeChat client (three at most) at its timeout, with
   * room for the backoff between them. Past it the submitter is presumed dead and the sweep may submit again.
   */
  const submitLeaseMs = 3 * config.wechat.timeoutMs + 10_000;

  /** Take the submit lease of a PROCESSING refund; false while another submit holds it (or it is settled). */
  async function claimSubmit(outRefundNo: string): Promise<boolean> {
    const nowMs = deps.now();
    const claimed = await db
      .updateTable('refunds')
      .set({ submitting_until: isoAt(nowMs + submitLeaseMs) })
      .where('out_refund_no', '=', outRefundNo)
      .where('status', '=', 'PROCESSING')
      .where('submitting_until', '<=', isoAt(nowMs))
      .executeTakeFirst();
    return claimed.numUpdatedRows > 0n;
  }

  async function releaseSubmit(outRefundNo: string): Promise<void> {
    await db
      .updateTable('refunds')
      .set({ submitting_until: '' })
      .where('out_refund_no', '=', outRefundNo)
      .execute();
  }

  async function reserve(
    outTradeNo: string,
    request: RefundRequest,
    key: { idempotencyKey: string; digest: string } | undefined,
  ): Promise<{ refund: RefundRow; replayed: boolean }> {
    const nowMs = deps.now();
    const now = isoAt(nowMs);
    return db.transaction().execute(async (trx) => {
      // Touch the order row first: a row lock on PostgreSQL, the write lock on SQLite. Concurrent refunds of the
      // same order queue here, so the sum below cannot be read stale by two of them at once — nor can two requests
      // with one idempotency key both miss the other's row.
      const touched = await trx
        .updateTable('orders')
        .set({ updated_at: now })
        .where('out_trade_no', '=', outTradeNo)
        .executeTakeFirst();
      if (touched.numUpdatedRows === 0n) throw apiError('order_not_found', 'No such order.');
      if (key) {
        const earlier = await trx
          .selectFrom('refunds')
          .selectAll()
          .where('out_trade_no', '=', outTradeNo)
          .where('idempotency_key', '=', key.idempotencyKey)
          .executeTakeFirst();
        if (earlier) {
          if (earlier.request_digest !== key.digest) {
            throw apiError(
              'idempotency_key_reused',
              `This Idempotency-Key was used for another refund request of this order (refund ${earlier.out_refund_no}); ` +
                'use a new key for a new refund.',
            );
          }
          return { refund: earlier, replayed: true };
        }
      }
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
      // Stored before WeChat is called: a retry of this refund reuses the same out_refund_no. Stored holding the
      // submit lease, which this request uses at once.
      const row = {
        out_refund_no: createOutTradeNo(new Date(nowMs)),
        out_trade_no: outTradeNo,
        amount_fen: request.amountFen,
        reason: request.reason ?? null,
        status: 'PROCESSING' as const,
        refund_id: null,
        idempotency_key: key?.idempotencyKey ?? null,
        request_digest: key?.digest ?? null,
        submitting_until: isoAt(nowMs + submitLeaseMs),
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('refunds').values(row).execute();
      deps.metrics.refunds.inc({ status: 'PROCESSING' });
      const refund = await trx
        .selectFrom('refunds')
        .selectAll()
        .where('out_refund_no', '=', row.out_refund_no)
        .executeTakeFirstOrThrow();
      return { refund, replayed: false };
    });
  }

  /**
   * Send a reserved refund to WeChat (first time, or again with the same out_refund_no, which WeChat answers with
   * the refund it already has). The caller holds the submit lease; it is released here whatever happens.
   */
  async function submit(refund: RefundRow): Promise<RefundRow> {
    try {
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
          const closed = await db
            .updateTable('refunds')
            .set({ status: 'CLOSED', updated_at: isoAt(deps.now()) })
            .where('out_refund_no', '=', refund.out_refund_no)
            .where('status', '=', 'PROCESSING')
            .executeTakeFirst();
          if (closed.numUpdatedRows > 0n) deps.metrics.refunds.inc({ status: 'CLOSED' });
        } else {
          // Unknown outcome (timeout, bad response): the reservation stays; the sweep asks WeChat (refundquery) and
          // re-submits with the same out_refund_no if WeChat never saw it — as does a retry with the same key.
          logger.warn({ err, outRefundNo: refund.out_refund_no }, 'refund outcome unknown; kept PROCESSING');
        }
        throw err;
      }
    } finally {
      await releaseSubmit(refund.out_refund_no).catch((err: unknown) =>
        logger.warn({ err, outRefundNo: refund.out_refund_no }, 'could not release a refund submit lease'),
      );
    }
    return db
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', refund.out_refund_no)
      .executeTakeFirstOrThrow();
  }

  /** A 503 from a refund says what it means for the money: unknown, and safe to retry with the same key. */
  function outcomeUnknown(err: WechatUnavailableError, refund: RefundRow, keyed: boolean): ApiError {
    return new ApiError(
      'wechat_unavailable',
      `WeChat did not answer; refund ${refund.out_refund_no} may or may not have been made (it stays PROCESSING ` +
        `and is reconciled automatically). ${
          keyed
            ? 'Retrying with the same Idempotency-Key is safe: it returns this refund, never a second one.'
            : 'Do not retry without checking the order: send an Idempotency-Key to make retries safe.'
        }`,
      { cause: err, headers: { 'Retry-After': '5' } },
    );
  }

  async function submitOrExplain(refund: RefundRow, keyed: boolean): Promise<RefundRow> {
    try {
      return await submit(refund);
    } catch (err) {
      if (err instanceof WechatUnavailableError) throw outcomeUnknown(err, refund, keyed);
      throw err;
    }
  }

  return {
    async createRefund(outTradeNo, request, options = {}) {
      const key =
        options.idempotencyKey === undefined
          ? undefined
          : { idempotencyKey: options.idempotencyKey, digest: refundRequestDigest(outTradeNo, request) };
      const { refund, replayed } = await reserve(outTradeNo, request, key);
      if (!replayed)
        return { refund: toRefundView(await submitOrExplain(refund, key !== undefined)), replayed };
      // A retry of a refund whose first answer was lost (PROCESSING, no refund id yet) and that nobody is
      // submitting now: send it again under its own out_refund_no — WeChat answers with the refund it has, or makes
      // the one it never saw. One still in flight is answered as it stands, never submitted twice at once.
      if (
        refund.status === 'PROCESSING' &&
        refund.refund_id === null &&
        (await claimSubmit(refund.out_refund_no))
      ) {
        return { refund: toRefundView(await submitOrExplain(refund, true)), replayed };
      }
      return { refund: toRefundView(refund), replayed };
    },

    async reconcileRefund(refund) {
      const nowMs = deps.now();
      await db
        .updateTable('refunds')
        .set({ checked_at: isoAt(nowMs) })
        .where('out_refund_no', '=', refund.out_refund_no)
        .execute();
      // Never alongside a submit in flight (the first request's, or another instance's sweep).
      if (!(await claimSubmit(refund.out_refund_no))) return;
      let submitted = false;
      try {
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
          submitted = true;
          await submit(refund);
          return;
        }
        if (answer.state === 'processing') return;
        const now = isoAt(deps.now());
        await db.transaction().execute(async (trx) => {
          const applied = await applyRefundOutcome(trx, refund, answer.outcome, answer.refundId, now, deps);
          if (applied === 'duplicate') return;
          // A change made by reconciliation leaves an audit row like a notify's.
          await recordNotification(trx, {
            kind: 'refund',
            // No request: nothing came in, WeChat was asked.
            headers: {},
            rawBody: JSON.stringify({
              source: 'refundquery',
              outRefundNo: refund.out_refund_no,
              outcome: answer.outcome,
              refundId: answer.refundId ?? null,
            }),
            verdict: applied === 'applied' ? 'reconciled' : applied,
            outTradeNo: refund.out_trade_no,
            transactionId: answer.refundId ?? null,
            receivedAt: now,
          });
        });
      } finally {
        if (!submitted) await releaseSubmit(refund.out_refund_no);
      }
    },
  };
}
