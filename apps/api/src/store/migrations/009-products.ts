import type { Kysely, Migration } from 'kysely';

/**
 * Issue 15: the merchant sets the price.
 *
 * - `products`: what can be bought — the merchant's own id (the URL key, ≤ 32), the title (sent to WeChat as the
 *   order's description, hence ≤ 128 UTF-8 bytes, checked on write), the price of one unit in fen, whether the user
 *   may choose the amount (a tip), and whether it is sold at all. No product is inserted here: a production database
 *   must not get the demo's products (SEED_DEMO_PRODUCTS seeds them at start-up, on a demo set-up only).
 * - `orders.product_id`, `unit_price_fen`, `quantity`: what an order bought, at the price of that moment (a later
 *   price change does not touch it). Nullable: orders placed before products existed have none. No foreign key: a
 *   catalog passed in deps (the merchant's own system) need not have a row here.
 */
export const productsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('products')
      .addColumn('id', 'varchar(32)', (col) => col.primaryKey())
      .addColumn('title', 'varchar(128)', (col) => col.notNull())
      .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('price_fen', 'integer', (col) => col.notNull())
      .addColumn('allow_custom_amount', 'boolean', (col) => col.notNull().defaultTo(false))
      .addColumn('active', 'boolean', (col) => col.notNull().defaultTo(true))
      .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
      .addColumn('updated_at', 'varchar(32)', (col) => col.notNull())
      .execute();
    await db.schema.alterTable('orders').addColumn('product_id', 'varchar(32)').execute();
    await db.schema.alterTable('orders').addColumn('unit_price_fen', 'integer').execute();
    await db.schema.alterTable('orders').addColumn('quantity', 'integer').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('orders').dropColumn('quantity').execute();
    await db.schema.alterTable('orders').dropColumn('unit_price_fen').execute();
    await db.schema.alterTable('orders').dropColumn('product_id').execute();
    await db.schema.dropTable('products').execute();
  },
};
