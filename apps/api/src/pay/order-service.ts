import {
  ROUTES,
  type OrderStatus,
  type OrderView,
  type OrdersPage,
  type PayWalletResponse,
} from '@wxh5/contracts';
import { createOutTradeNo } from '@wxh5/wechat-core';
import { apiError } from '../shared/api-error';
import type { AppDeps } from '../deps';
import type { OrderRow } from '../store/schema';
import type { PayGateways } from '../wechat/pay/create-pay-gateways';
import type { Prepay } from '../wechat/pay/pay-gateway';
import { applyPayment, closePendingOrder } from './apply-payment';
import { isoAt } from '../store/iso-at';
import { toOrderView } from './order-views';
import { ordersPageQuery } from './queries';
import { priceOrder, type OrderRequest } from './price-order';
import type { ProductCatalog } from './product-catalog';
import { recordNotification } from './record-notification';

/** prepay_id is valid for 2 hours at WeChat. */
export const PREPAY_TTL_MS = 2 * 60 * 60 * 1000;

type OrderServiceDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now' | 'cache' | 'locks' | 'metrics'>;

/** Cache key (and lock name) of the status route's last orderquery for an order. */
export function reconcileThrottleKey(outTradeNo: string): string {
  return `pay:reconcile:${outTradeNo}`;
}

/** How long the check-and-claim of a throttle slot may hold its lock (a cache read and a write). */
const THROTTLE_LOCK_TTL_MS = 2000;

export interface CreateOrderInput {
  openId: string;
  /** What to buy; the catalog prices it (price-order.ts). */
  order: OrderRequest;
  clientIp: string;
}

export type ReconcileOutcome = 'paid' | 'closed' | 'unchanged' | 'unknown_at_wechat' | 'mismatch';

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) → `1.2.3.4`; WeChat wants the IPv4 form. */
export function normalizeClientIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  return ip === '' ? '127.0.0.1' : ip;
}

function encodeCursor(id: number): string {
  return Buffer.from(`o${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^o(\d{1,15})$/.exec(text);
  if (!match?.[1]) throw apiError('invalid_request', 'cursor: not a cursor this api issued');
  return Number(match[1]);
}

export interface OrderService {
  createOrder(input: CreateOrderInput): Promise<PayWalletResponse>;
  listOrders(openId: string, limit: number, cursor: string | undefined): Promise<OrdersPage>;
  /** The owner's order, reconciled with WeChat first when it is PENDING and old enough. */
  getOrder(openId: string, outTradeNo: string): Promise<OrderView>;
  closeOrder(openId: string, outTradeNo: string): Promise<OrderView>;
  /**
   * 再次支付: pay params for the owner's PENDING order, same out_trade_no — the stored prepay_id while it is valid,
   * else a new unifiedorder with the order's own parameters (WeChat answers identical parameters with a prepay_id,
   * never OUT_TRADE_NO_USED). Past its time_expire the order is closed (at WeChat first) and refused.
   */
  prepayOrder(openId: string, outTradeNo: string): Promise<PayWalletResponse>;
  /** Ask WeChat (orderquery) and apply what it says. Throws a WechatError when WeChat cannot answer. */
  reconcileOrder(order: OrderRow): Promise<ReconcileOutcome>;
  /** Close at WeChat, then PENDING → CLOSED here; paid meanwhile → reconcile. Returns the order's new status. */
  closeAtWechat(order: OrderRow): Promise<OrderStatus>;
}

/**
 * New orders go to `gateways.current`; an existing order is always handled by the gateway of the scheme it was
 * placed with. The status route's reconciliation asks WeChat once, without retries — the user is waiting and the
 * stored state is a fine answer when WeChat is slow (the sweep retries properly).
 */
export function createOrderService(
  deps: OrderServiceDeps,
  gateways: PayGateways,
  catalog: ProductCatalog,
): OrderService {
  const { config, db, logger, cache, locks } = deps;
  const notifyUrl = `${config.publicBaseUrl}${ROUTES.payCallback}`;

  async function findOwned(openId: string, outTradeNo: string): Promise<OrderRow> {
    const row = await db
      .selectFrom('orders')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .where('openid', '=', openId)
      .executeTakeFirst();
    // Another user's order is indistinguishable from a missing one.
    if (!row) throw apiError('order_not_found', 'No such order.');
    return row;
  }

  async function reload(outTradeNo: string): Promise<OrderRow> {
    return db
      .selectFrom('orders')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .executeTakeFirstOrThrow();
  }

  /** PENDING → CLOSED here (once, counted). */
  async function closePending(outTradeNo: string, now: string): Promise<boolean> {
    const closed = await closePendingOrder(db, outTradeNo, now);
    if (closed) deps.metrics.orderTransitions.inc({ from: 'PENDING', to: 'CLOSED' });
    return closed;
  }

  async function reconcileOrder(order: OrderRow, once = false): Promise<ReconcileOutcome> {
    const answer = await gateways.forScheme(order.sign_scheme).queryOrder(order.out_trade_no, { once });
    const now = isoAt(deps.now());
    switch (answer.state) {
      case 'unknown':
        return 'unknown_at_wechat';
      case 'paid': {
        if (answer.amountFen !== order.amount_fen || !answer.transactionId) {
          logger.error(
            { outTradeNo: order.out_trade_no, reportedFen: answer.amountFen, amountFen: order.amount_fen },
            'orderquery reports a payment that does not match the order; not applied',
          );
          return 'mismatch';
        }
        const paidAt = answer.paidAt ?? now;
        const transactionId = answer.transactionId;
        const outcome = await db.transaction().execute(async (trx) => {
          const applied = await applyPayment(
            trx,
            { outTradeNo: order.out_trade_no, transactionId, paidAt, now, source: 'orderquery' },
            logger,
          );
          if (applied === 'paid' || applied === 'paid_after_close') {
            // The transition leaves an audit row like a notify's (committed with it): what WeChat's orderquery said.
            await recordNotification(trx, {
              kind: 'pay',
              // No request: nothing came in, WeChat was asked.
              headers: {},
              rawBody: JSON.stringify({
                source: 'orderquery',
                outTradeNo: order.out_trade_no,
                transactionId,
                amountFen: answer.amountFen,
                paidAt,
              }),
              verdict: applied === 'paid' ? 'reconciled' : 'reconciled_paid_after_close',
              outTradeNo: order.out_trade_no,
              transactionId,
              receivedAt: now,
            });
          }
          return applied;
        });
        if (outcome === 'paid') deps.metrics.orderTransitions.inc({ from: 'PENDING', to: 'PAID' });
        if (outcome === 'paid_after_close') deps.metrics.orderTransitions.inc({ from: 'CLOSED', to: 'PAID' });
        return outcome === 'paid' || outcome === 'paid_after_close' ? 'paid' : 'unchanged';
      }
      case 'closed':
        return (await closePending(order.out_trade_no, now)) ? 'closed' : 'unchanged';
      case 'open':
        // Still payable at WeChat (including a payment attempt the bank refused): it expires like any unpaid
        // order — the sweep closes it at WeChat, then here.
        return 'unchanged';
    }
  }

  /**
   * May the status route ask WeChat about this order now? At most once per PAY_RECONCILE_MIN_INTERVAL_SECONDS per
   * order across the fleet: the time of the last query (deps.now) is kept in the shared cache, and the check and the
   * claim happen under the order's lock (Redis when configured), so two instances cannot both claim one slot. The
   * cache TTL only collects old entries; the stored time decides. A claim that cannot be made (Redis down) is a no.
   */
  async function claimReconcileSlot(outTradeNo: string): Promise<boolean> {
    const intervalMs = config.pay.reconcileMinIntervalSeconds * 1000;
    if (intervalMs === 0) return true;
    const key = reconcileThrottleKey(outTradeNo);
    const throttled = async () => {
      const last: unknown = await cache.get(key);
      return typeof last === 'number' && deps.now() - last < intervalMs;
    };
    try {
      // Most polls fall inside the interval: one cache read answers them without taking the lock.
      if (await throttled()) return false;
      return await locks.withLock(key, THROTTLE_LOCK_TTL_MS, async () => {
        if (await throttled()) return false;
        await cache.set(key, deps.now(), intervalMs);
        return true;
      });
    } catch (err) {
      logger.warn({ err, outTradeNo }, 'cannot claim a reconciliation slot; answering the stored state');
      return false;
    }
  }

  /** Remember a prepay (valid 2 h at WeChat) on an order that is still PENDING; a settled order keeps its row. */
  async function storePrepay(outTradeNo: string, prepayId: string, nowMs: number): Promise<void> {
    await db
      .updateTable('orders')
      .set({
        prepay_id: prepayId,
        prepay_expires_at: isoAt(nowMs + PREPAY_TTL_MS),
        updated_at: isoAt(deps.now()),
      })
      .where('out_trade_no', '=', outTradeNo)
      .where('status', '=', 'PENDING')
      .execute();
  }

  async function closeAtWechat(order: OrderRow): Promise<OrderStatus> {
    const closed = await gateways.forScheme(order.sign_scheme).closeOrder(order.out_trade_no);
    if (closed === 'paid') {
      await reconcileOrder(order);
      return (await reload(order.out_trade_no)).status;
    }
    // Closed now, already closed there, or never created there (the prepay failed): closed here too.
    await closePending(order.out_trade_no, isoAt(deps.now()));
    return (await reload(order.out_trade_no)).status;
  }

  return {
    reconcileOrder: (order) => reconcileOrder(order),
    closeAtWechat,

    async createOrder(input) {
      // The server's price, from the catalog: a refusal (unknown, inactive, an amount for a fixed price, out of
      // bounds) is thrown here, before any row is written or WeChat is asked.
      const priced = priceOrder(await catalog.find(input.order.productId), input.order);
      const nowMs = deps.now();
      const created = new Date(nowMs);
      const outTradeNo = createOutTradeNo(created);
      const gateway = gateways.current;
      const { description } = priced;
      const clientIp = normalizeClientIp(input.clientIp);
      // The row first, complete and PENDING: whatever happens at WeChat now, the order can be reconciled. It keeps
      // the product and the price of this moment: a later price change does not touch it.
      await db
        .insertInto('orders')
        .values({
          out_trade_no: outTradeNo,
          openid: input.openId,
          amount_fen: priced.amountFen,
          product_id: priced.productId,
          unit_price_fen: priced.unitPriceFen,
          quantity: priced.quantity,
          description,
          status: 'PENDING',
          sign_scheme: gateway.signScheme,
          client_ip: clientIp,
          prepay_id: null,
          prepay_expires_at: null,
          transaction_id: null,
          paid_at: null,
          refunded_fen: 0,
          created_at: created.toISOString(),
          updated_at: created.toISOString(),
        })
        .execute();

      let prepay: Prepay;
      try {
        // Every parameter derives from the stored row, so re-entering this order sends identical parameters.
        prepay = await gateway.prepay({
          outTradeNo,
          amountFen: priced.amountFen,
          description,
          openId: input.openId,
          clientIp,
          notifyUrl,
          createdAtMs: nowMs,
          expiresAtMs: nowMs + config.pay.orderExpireMinutes * 60_000,
        });
      } catch (err) {
        // handleErrors answers 503 (WeChat down) or 502 (refused); the row stays PENDING either way.
        logger.warn({ err, outTradeNo }, 'prepay failed; the order stays PENDING for reconciliation');
        throw err;
      }
      await storePrepay(outTradeNo, prepay.prepayId, nowMs);
      return { outTradeNo, payParams: gateway.payParams(prepay, deps.now()) };
    },

    async listOrders(openId, limit, cursor) {
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = await ordersPageQuery(db, openId, limit, beforeId).execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        orders: page.map(toOrderView),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    },

    async getOrder(openId, outTradeNo) {
      const order = await findOwned(openId, outTradeNo);
      const ageMs = deps.now() - Date.parse(order.created_at);
      if (order.status !== 'PENDING' || ageMs < config.pay.reconcileAfterSeconds * 1000)
        return toOrderView(order);
      // The H5 polls this route: within the throttle interval the stored state is the answer.
      if (!(await claimReconcileSlot(outTradeNo))) return toOrderView(order);
      try {
        const outcome = await reconcileOrder(order, true);
        if (outcome === 'unchanged' || outcome === 'unknown_at_wechat') return toOrderView(order);
      } catch (err) {
        // WeChat down: answer what we know; the sweep or the next poll reconciles.
        logger.warn({ err, outTradeNo }, 'reconciliation failed; answering the stored state');
        return toOrderView(order);
      }
      return toOrderView(await reload(outTradeNo));
    },

    async closeOrder(openId, outTradeNo) {
      const order = await findOwned(openId, outTradeNo);
      if (order.status === 'PAID' || order.status === 'REFUNDED') {
        throw apiError('order_already_paid', 'This order is paid; it cannot be closed.');
      }
      if (order.status === 'CLOSED') return toOrderView(order);
      const status = await closeAtWechat(order);
      if (status === 'PAID' || status === 'REFUNDED') {
        throw apiError('order_already_paid', 'This order was paid before it could be closed.');
      }
      return toOrderView(await reload(outTradeNo));
    },

    async prepayOrder(openId, outTradeNo) {
      const order = await findOwned(openId, outTradeNo);
      if (order.status === 'PAID' || order.status === 'REFUNDED') {
        throw apiError('order_already_paid', 'This order is paid.');
      }
      if (order.status === 'CLOSED') throw apiError('order_closed', 'This order is closed; place a new one.');
      const nowMs = deps.now();
      const createdAtMs = Date.parse(order.created_at);
      const expiresAtMs = createdAtMs + config.pay.orderExpireMinutes * 60_000;
      if (nowMs >= expiresAtMs) {
        // Past time_expire WeChat would refuse the cashier anyway. Close it at WeChat first: a payment made
        // there meanwhile (its notify not yet here) turns the order PAID instead of closing it.
        const status = await closeAtWechat(order);
        if (status === 'PAID' || status === 'REFUNDED')
          throw apiError('order_already_paid', 'This order is paid.');
        throw apiError('order_closed', 'This order passed its time to pay and was closed; place a new one.');
      }
      const gateway = gateways.forScheme(order.sign_scheme);
      const storedValid =
        order.prepay_id !== null &&
        order.prepay_expires_at !== null &&
        Date.parse(order.prepay_expires_at) > nowMs;
      let prepay: Prepay;
      if (storedValid && order.prepay_id !== null) {
        prepay = { prepayId: order.prepay_id, signScheme: order.sign_scheme };
      } else {
        // The same parameters as the first prepay (all from the row), so WeChat treats it as the same order; the
        // gateway of the order's own scheme (the cashier checks the pay params' scheme against the prepay's).
        prepay = await gateway.prepay({
          outTradeNo,
          amountFen: order.amount_fen,
          description: order.description,
          openId: order.openid,
          clientIp: order.client_ip,
          notifyUrl,
          createdAtMs,
          expiresAtMs,
        });
        await storePrepay(outTradeNo, prepay.prepayId, nowMs);
      }
      const payParams = gateway.payParams(prepay, nowMs);
      return { outTradeNo, payParams };
    },
  };
}
