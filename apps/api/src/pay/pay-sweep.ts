import type { AppDeps } from '../deps';
import { createPayServices, type PayServices } from './create-pay-services';
import { isoAt } from '../store/iso-at';
import { pendingOrdersQuery, processingRefundsQuery } from './queries';

export interface SweepReport {
  checked: number;
  paid: number;
  closed: number;
  refundsChecked: number;
  errors: number;
}

const BATCH = 100;

/**
 * One pass of the background reconciliation: PENDING orders older than `reconcileAfterSeconds` are queried at
 * WeChat (a lost notify still ends PAID); those still unpaid past ORDER_EXPIRE_MINUTES are closed at WeChat and
 * here; refunds still PROCESSING after the same threshold are queried (and re-submitted with the same
 * out_refund_no if WeChat never saw them — never while a submit of theirs is in flight). Each order and refund asked
 * about is marked (checked_at) and not asked again for PAY_SWEEP_RECHECK_SECONDS; the least recently checked go
 * first, so a batch that keeps failing cannot starve the rest. Safe on several instances at once: every transition is a conditional
 * UPDATE, so two sweeps racing over the same order move it once.
 */
export async function runPaySweep(deps: AppDeps, services: PayServices): Promise<SweepReport> {
  const { config, db, logger } = deps;
  const nowMs = deps.now();
  const reconcileBefore = isoAt(nowMs - config.pay.reconcileAfterSeconds * 1000);
  const expireBefore = isoAt(nowMs - config.pay.orderExpireMinutes * 60_000);
  const report: SweepReport = { checked: 0, paid: 0, closed: 0, refundsChecked: 0, errors: 0 };

  const checkedBefore = isoAt(nowMs - config.pay.sweepRecheckSeconds * 1000);
  const pending = await pendingOrdersQuery(db, reconcileBefore, checkedBefore, BATCH).execute();
  deps.metrics.sweepBacklog.set({ kind: 'orders' }, pending.length);
  for (const order of pending) {
    report.checked += 1;
    try {
      // Marked first: an order whose check fails is not retried before the others have had their turn.
      await db
        .updateTable('orders')
        .set({ checked_at: isoAt(deps.now()) })
        .where('out_trade_no', '=', order.out_trade_no)
        .execute();
      const outcome = await services.orders.reconcileOrder(order);
      if (outcome === 'paid') report.paid += 1;
      else if (outcome === 'closed') report.closed += 1;
      else if (order.created_at <= expireBefore && outcome !== 'mismatch') {
        const status = await services.orders.closeAtWechat(order);
        if (status === 'CLOSED') report.closed += 1;
        else if (status === 'PAID') report.paid += 1;
      }
    } catch (err) {
      report.errors += 1;
      logger.warn({ err, outTradeNo: order.out_trade_no }, 'sweep could not reconcile an order');
    }
  }

  const refunds = await processingRefundsQuery(
    db,
    { updatedBefore: reconcileBefore, checkedBefore, now: isoAt(nowMs) },
    BATCH,
  ).execute();
  deps.metrics.sweepBacklog.set({ kind: 'refunds' }, refunds.length);
  for (const refund of refunds) {
    report.refundsChecked += 1;
    try {
      await services.refunds.reconcileRefund(refund);
    } catch (err) {
      report.errors += 1;
      logger.warn({ err, outRefundNo: refund.out_refund_no }, 'sweep could not reconcile a refund');
    }
  }
  deps.metrics.sweepRuns.inc({ outcome: report.errors > 0 ? 'failed' : 'ok' });
  if (report.paid || report.closed || report.errors) logger.info(report, 'pay sweep');
  return report;
}

/**
 * Start the sweep every `config.pay.sweepIntervalSeconds` (0 = off). Passes do not overlap within an instance;
 * across instances a shared lock (Redis when configured) keeps them from doubling WeChat calls, and the
 * conditional updates keep them correct even without it. Returns a stop function that waits for a running pass.
 */
export function startPaySweep(
  deps: AppDeps,
  services: PayServices = createPayServices(deps),
): () => Promise<void> {
  const intervalSeconds = deps.config.pay.sweepIntervalSeconds;
  if (intervalSeconds <= 0) return () => Promise.resolve();
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = deps.locks
      .withLock('pay-sweep', intervalSeconds * 1000, () => runPaySweep(deps, services))
      .catch((err: unknown) => deps.logger.warn({ err }, 'pay sweep failed'))
      .finally(() => {
        running = undefined;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
