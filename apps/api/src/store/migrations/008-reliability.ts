import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Issue 12 (reliability and security). Only added columns, tables and indexes — no row is rewritten or lost; every
 * new column has a default, so existing rows read as "never checked", "no key", "session version 0".
 *
 * - refunds.idempotency_key / request_digest: an admin refund's `Idempotency-Key` and the SHA-256 of what it asked
 *   for; unique per order, so a retried request finds the refund it made instead of making a second.
 * - refunds.submitting_until: a lease while a submit to WeChat is in flight (ISO time, '' = none). Nobody else
 *   submits the refund before it expires — not the sweep, not a retried request.
 * - orders.checked_at / refunds.checked_at: when the sweep last asked WeChat ('' = never). The sweep takes the least
 *   recently checked first, so a batch that keeps failing cannot starve newer rows.
 * - pay_notifications.source_ip / body_bytes / body_sha256: the evidence kept for a notify refused before it was
 *   verified (a bounded prefix in raw_body, its full size and digest); set only on those rows, which the partial
 *   index `pay_notifications_refused` lets the prune command find by age.
 * - notify_refusals: per (kind, source, hour) the count of unverified refusals beyond the sampled rows.
 * - users.session_version + revoked_sessions: "log out everywhere" bumps the version (every cookie carrying an older
 *   one stops working); logging out revokes one session id until the cookie would have expired anyway.
 */
export const reliabilityMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('refunds').addColumn('idempotency_key', 'varchar(64)').execute();
    await db.schema.alterTable('refunds').addColumn('request_digest', 'varchar(64)').execute();
    await db.schema
      .alterTable('refunds')
      .addColumn('submitting_until', 'varchar(32)', (col) => col.notNull().defaultTo(''))
      .execute();
    await db.schema
      .alterTable('refunds')
      .addColumn('checked_at', 'varchar(32)', (col) => col.notNull().defaultTo(''))
      .execute();
    // NULL keys (refunds made without one) never collide: both databases treat NULLs as distinct in a unique index.
    // The key leads, so the reservation's `out_trade_no = ? AND status IN (…)` keeps refunds_order_status.
    await db.schema
      .createIndex('refunds_idempotency')
      .on('refunds')
      .columns(['idempotency_key', 'out_trade_no'])
      .unique()
      .execute();
    await db.schema
      .createIndex('refunds_status_checked')
      .on('refunds')
      .columns(['status', 'checked_at'])
      .execute();

    await db.schema
      .alterTable('orders')
      .addColumn('checked_at', 'varchar(32)', (col) => col.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createIndex('orders_status_checked')
      .on('orders')
      .columns(['status', 'checked_at'])
      .execute();

    await db.schema.alterTable('pay_notifications').addColumn('source_ip', 'varchar(64)').execute();
    await db.schema.alterTable('pay_notifications').addColumn('body_bytes', 'integer').execute();
    await db.schema.alterTable('pay_notifications').addColumn('body_sha256', 'varchar(64)').execute();
    await db.schema
      .createIndex('pay_notifications_refused')
      .on('pay_notifications')
      .column('received_at')
      .where(sql.ref('body_sha256'), 'is not', null)
      .execute();

    await db.schema
      .createTable('notify_refusals')
      .addColumn('kind', 'varchar(16)', (col) => col.notNull())
      .addColumn('source_ip', 'varchar(64)', (col) => col.notNull())
      .addColumn('window_start', 'varchar(32)', (col) => col.notNull())
      .addColumn('count', 'integer', (col) => col.notNull())
      .addColumn('suppressed', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('last_verdict', 'varchar(64)', (col) => col.notNull())
      .addColumn('last_body_sha256', 'varchar(64)', (col) => col.notNull())
      .addColumn('last_at', 'varchar(32)', (col) => col.notNull())
      .addPrimaryKeyConstraint('notify_refusals_pk', ['kind', 'source_ip', 'window_start'])
      .execute();
    await db.schema
      .createIndex('notify_refusals_window')
      .on('notify_refusals')
      .column('window_start')
      .execute();

    await db.schema
      .alterTable('users')
      .addColumn('session_version', 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('revoked_sessions')
      .addColumn('session_id', 'varchar(64)', (col) => col.primaryKey())
      .addColumn('expires_at', 'varchar(32)', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('revoked_sessions_expires')
      .on('revoked_sessions')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('revoked_sessions').execute();
    await db.schema.alterTable('users').dropColumn('session_version').execute();
    await db.schema.dropTable('notify_refusals').execute();
    await db.schema.dropIndex('pay_notifications_refused').execute();
    for (const column of ['body_sha256', 'body_bytes', 'source_ip']) {
      await db.schema.alterTable('pay_notifications').dropColumn(column).execute();
    }
    await db.schema.dropIndex('orders_status_checked').execute();
    await db.schema.alterTable('orders').dropColumn('checked_at').execute();
    await db.schema.dropIndex('refunds_status_checked').execute();
    await db.schema.dropIndex('refunds_idempotency').execute();
    for (const column of ['checked_at', 'submitting_until', 'request_digest', 'idempotency_key']) {
      await db.schema.alterTable('refunds').dropColumn(column).execute();
    }
  },
};
