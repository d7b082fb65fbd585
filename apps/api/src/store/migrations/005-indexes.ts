import type { Kysely, Migration } from 'kysely';

/**
 * Indexes for the queries the app makes when tables are large (each one pinned by an EXPLAIN in
 * test/query-plans.test.ts, on SQLite and PostgreSQL):
 *
 * - `orders_openid_id` (openid, id): the orders list, `WHERE openid = ? [AND id < cursor] ORDER BY id DESC LIMIT n`,
 *   reads n rows of one user in order. The (openid, created_at) index of 002 could not serve `ORDER BY id` without
 *   reading and sorting every order of the user (1.7 s at 100k orders); it serves no other query, and on
 *   PostgreSQL every notify's UPDATE (which changes an indexed column, status, so it is never HOT) wrote an entry
 *   into it too — so it goes.
 * - `orders_status_created` (status, created_at), from 002: the sweep's `status = 'PENDING' AND created_at <= ?
 *   ORDER BY created_at LIMIT n`. Kept as is.
 * - `refunds_order_status` (out_trade_no, status) replaces `refunds_order` (out_trade_no): a refund's reservation
 *   sums `WHERE out_trade_no = ? AND status IN (…)`.
 * - `refunds_status_created` (status, created_at): the sweep's `status = 'PROCESSING' AND updated_at <= ? ORDER BY
 *   created_at LIMIT n` walks the PROCESSING refunds oldest first instead of every refund ever made.
 * - `pay_notifications_order` (out_trade_no), from 002: a order's audit trail. Kept as is.
 */
export const indexesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('orders_openid_id').on('orders').columns(['openid', 'id']).execute();
    await db.schema.dropIndex('orders_openid_created').execute();
    await db.schema
      .createIndex('refunds_order_status')
      .on('refunds')
      .columns(['out_trade_no', 'status'])
      .execute();
    await db.schema.dropIndex('refunds_order').execute();
    await db.schema
      .createIndex('refunds_status_created')
      .on('refunds')
      .columns(['status', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('refunds_status_created').execute();
    await db.schema.createIndex('refunds_order').on('refunds').column('out_trade_no').execute();
    await db.schema.dropIndex('refunds_order_status').execute();
    await db.schema
      .createIndex('orders_openid_created')
      .on('orders')
      .columns(['openid', 'created_at'])
      .execute();
    await db.schema.dropIndex('orders_openid_id').execute();
  },
};
