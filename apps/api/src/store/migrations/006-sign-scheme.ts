import type { Kysely, Migration } from 'kysely';

/**
 * Issue 9: the pay columns in protocol-neutral terms, ahead of WeChat Pay v3.
 *
 * - `orders.sign_type` → `orders.sign_scheme`: the scheme an order was placed with (`MD5 | HMAC-SHA256` for v2,
 *   `RSA` for v3); a notify must be signed with the same. A rename keeps every row and value as it was (SQLite ≥
 *   3.25 and PostgreSQL rename in place; no index names the column).
 * - `pay_notifications.headers` (nullable text): the notify's headers as a JSON object with lower-cased names — a
 *   bounded selection (`Wechatpay-*`, `Content-Type`, request ids; see pay/record-notification.ts), so that a v3
 *   notify's signature headers are kept with its audit row. Rows recorded before this migration have NULL.
 */
export const signSchemeMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('orders').renameColumn('sign_type', 'sign_scheme').execute();
    await db.schema.alterTable('pay_notifications').addColumn('headers', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('pay_notifications').dropColumn('headers').execute();
    await db.schema.alterTable('orders').renameColumn('sign_scheme', 'sign_type').execute();
  },
};
