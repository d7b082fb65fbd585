import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The sweep's indexes, fitted to the queries it runs since 008 (src/pay/queries.ts; pinned by EXPLAIN in
 * test/query-plans.test.ts on SQLite and PostgreSQL), and the indexes no query reads any more, dropped:
 *
 * - `orders_pending_checked` (checked_at, created_at) WHERE status = 'PENDING' replaces `orders_status_checked`
 *   (status, checked_at): the sweep's `status = 'PENDING' AND checked_at <= ? AND created_at <= ? ORDER BY
 *   checked_at LIMIT n` walks the PENDING orders least recently checked first, and reads created_at (its age) from
 *   the index instead of from each row. Partial: only the PENDING orders are in it — a few, where the table holds
 *   millions — and an order that leaves PENDING leaves the index, so a notify's PENDING → PAID UPDATE no longer
 *   writes an entry into it (on PostgreSQL an UPDATE of status is never HOT: every index of the table gets an
 *   entry for the new row version, except a partial index whose condition the new version fails).
 * - `orders_status_created` (status, created_at), from 002: the sweep's query before 008. Nothing reads it; every
 *   notify wrote an entry into it.
 * - `refunds_processing_checked` (checked_at) WHERE status = 'PROCESSING' replaces `refunds_status_checked`, for the
 *   refund sweep's `status = 'PROCESSING' AND checked_at <= ? … ORDER BY checked_at LIMIT n`, likewise.
 * - `refunds_status_created` (status, created_at), from 005: the refund sweep's query before 008; unread.
 *
 * A partial index serves a query only when the query states its condition: the queries write the status as a
 * literal (`'PENDING'`, not a bound parameter), which both databases match against the index's WHERE whatever the
 * plan (a PostgreSQL generic plan for a prepared statement cannot prove a parameter equal to 'PENDING').
 */
export const sweepIndexesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index orders_pending_checked on orders (checked_at, created_at) where status = 'PENDING'`.execute(
      db,
    );
    await db.schema.dropIndex('orders_status_checked').execute();
    await db.schema.dropIndex('orders_status_created').execute();
    await sql`create index refunds_processing_checked on refunds (checked_at) where status = 'PROCESSING'`.execute(
      db,
    );
    await db.schema.dropIndex('refunds_status_checked').execute();
    await db.schema.dropIndex('refunds_status_created').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .createIndex('refunds_status_created')
      .on('refunds')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('refunds_status_checked')
      .on('refunds')
      .columns(['status', 'checked_at'])
      .execute();
    await db.schema.dropIndex('refunds_processing_checked').execute();
    await db.schema
      .createIndex('orders_status_created')
      .on('orders')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('orders_status_checked')
      .on('orders')
      .columns(['status', 'checked_at'])
      .execute();
    await db.schema.dropIndex('orders_pending_checked').execute();
  },
};
