import type { RefundStatus } from '@wxh5/contracts';
import { SqliteAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema';

/**
 * The reads whose cost grows with the tables, built here (not executed) so that test/query-plans.test.ts can
 * EXPLAIN exactly the SQL the services run and fail if a plan goes back to a scan. Each names the index of
 * store/migrations that serves it.
 */
type Executor = Kysely<Database> | Transaction<Database>;

/**
 * One page of a user's orders, newest first; the cursor is the last row's id, so a page reads `limit + 1` index
 * entries however many orders the user has.
 *
 * - SQLite: `orders_openid_id` (openid, id). With statistics (ANALYZE, `PRAGMA optimize`) that say one user holds
 *   much of the table, SQLite walks the whole table backwards by id instead, filtering on openid: fine until the
 *   newest rows are someone else's, then it reads every one of them (25 ms a page measured at 100k orders).
 *   `unlikely()` (SQLite's planner hint: this term is selective) keeps it on the index.
 * - PostgreSQL has no such hint and falls into the same trap (a backward primary-key scan). It orders by `-id`, which
 *   only `orders_openid_newest` (openid, (-id)) delivers (migration 010), so no other ordered path exists.
 */
export function ordersPageQuery(db: Executor, openId: string, limit: number, beforeId: number | undefined) {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    let query = db
      .selectFrom('orders')
      .selectAll()
      .where((eb) => eb.fn<boolean>('unlikely', [eb('openid', '=', openId)]))
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (beforeId !== undefined) query = query.where('id', '<', beforeId);
    return query;
  }
  // The expression must be written exactly as the index's, `(- id)`, for PostgreSQL to match it.
  const newest = sql<number>`(- ${sql.ref('id')})`;
  let query = db
    .selectFrom('orders')
    .selectAll()
    .where('openid', '=', openId)
    .orderBy(newest, 'asc')
    .limit(limit + 1);
  if (beforeId !== undefined) query = query.where(newest, '>', -beforeId);
  return query;
}

/**
 * The sweep's PENDING orders created at or before `createdBefore` and not asked about since `checkedBefore`, least
 * recently checked first (never checked = '' first): the partial index `orders_pending_checked` (checked_at,
 * created_at) WHERE status = 'PENDING' (migration 012). Each pass marks what it asked (checked_at), so orders that
 * keep failing go to the back of the queue instead of taking every pass. The status is a literal, not a parameter:
 * a partial index serves only a query that states its condition, and a plan made before the value is known (a
 * PostgreSQL generic plan for a prepared statement) cannot prove a parameter equal to it.
 */
export function pendingOrdersQuery(
  db: Executor,
  createdBefore: string,
  checkedBefore: string,
  limit: number,
) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('status', '=', sql.lit('PENDING'))
    .where('checked_at', '<=', checkedBefore)
    .where('created_at', '<=', createdBefore)
    .orderBy('checked_at', 'asc')
    .limit(limit);
}

/**
 * The sweep's refunds still PROCESSING, untouched since `updatedBefore`, not asked about since `checkedBefore` and
 * not being submitted now (`submitting_until` passed), least recently checked first: the partial index
 * `refunds_processing_checked` (checked_at) WHERE status = 'PROCESSING' (012; the status a literal, as above).
 */
export function processingRefundsQuery(
  db: Executor,
  times: { updatedBefore: string; checkedBefore: string; now: string },
  limit: number,
) {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('status', '=', sql.lit('PROCESSING'))
    .where('checked_at', '<=', times.checkedBefore)
    .where('updated_at', '<=', times.updatedBefore)
    .where('submitting_until', '<=', times.now)
    .orderBy('checked_at', 'asc')
    .limit(limit);
}

/** The fen an order's refunds in `statuses` hold: `refunds_order_status` (out_trade_no, status). */
export function reservedRefundsQuery(db: Executor, outTradeNo: string, statuses: readonly RefundStatus[]) {
  return db
    .selectFrom('refunds')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('amount_fen'), eb.val(0)).as('total'))
    .where('out_trade_no', '=', outTradeNo)
    .where('status', 'in', [...statuses]);
}
