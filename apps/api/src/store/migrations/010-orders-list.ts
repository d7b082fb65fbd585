import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * PostgreSQL: the orders list reads `orders_openid_newest` (openid, (-id)) instead of `orders_openid_id` (openid, id).
 *
 * With (openid, id), `WHERE openid = $1 ORDER BY id DESC LIMIT n` has two ordered paths and the planner picks by
 * statistics: for a user who owns a large share of the table it walks the primary key backwards, filtering on
 * openid — it expects a match every few rows, but when the newest rows are other users' it reads every one of them
 * (100k rows removed by the filter for one page, measured). Ordering by `-id` leaves the primary key unable to
 * deliver the order, so the only ordered path is this index, whatever the statistics say: a page reads n + 1 index
 * entries for every user. The index replaces the old one rather than joining it: every notify's UPDATE on
 * PostgreSQL writes an entry into each index of orders, so one more index is a cost on the hot path.
 *
 * SQLite keeps `orders_openid_id` and its `unlikely()` hint (src/pay/queries.ts), which pins the same plan there.
 */
export const ordersListMigration: Migration = {
  async up(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof SqliteAdapter) return;
    await sql`create index orders_openid_newest on orders (openid, (-id))`.execute(db);
    await db.schema.dropIndex('orders_openid_id').execute();
  },
  async down(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof SqliteAdapter) return;
    await db.schema.createIndex('orders_openid_id').on('orders').columns(['openid', 'id']).execute();
    await db.schema.dropIndex('orders_openid_newest').execute();
  },
};
