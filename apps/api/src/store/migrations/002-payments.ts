import type { Kysely, Migration } from 'kysely';
import { idColumn } from './id-column';

export const paymentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('orders')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('out_trade_no', 'varchar(32)', (col) => col.notNull().unique())
      .addColumn('openid', 'varchar(128)', (col) => col.notNull())
      .addColumn('amount_fen', 'integer', (col) => col.notNull())
      .addColumn('description', 'varchar(128)', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('sign_type', 'varchar(16)', (col) => col.notNull())
      .addColumn('client_ip', 'varchar(64)', (col) => col.notNull())
      .addColumn('prepay_id', 'varchar(64)')
      .addColumn('prepay_expires_at', 'varchar(32)')
      .addColumn('transaction_id', 'varchar(64)')
      .addColumn('paid_at', 'varchar(32)')
      .addColumn('refunded_fen', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
      .addColumn('updated_at', 'varchar(32)', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('orders_openid_created')
      .on('orders')
      .columns(['openid', 'created_at'])
      .execute();
    await db.schema
      .createIndex('orders_status_created')
      .on('orders')
      .columns(['status', 'created_at'])
      .execute();

    await db.schema
      .createTable('pay_notifications')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('kind', 'varchar(16)', (col) => col.notNull())
      .addColumn('raw_body', 'text', (col) => col.notNull())
      .addColumn('verdict', 'varchar(64)', (col) => col.notNull())
      .addColumn('out_trade_no', 'varchar(64)')
      .addColumn('transaction_id', 'varchar(64)')
      .addColumn('received_at', 'varchar(32)', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('pay_notifications_order')
      .on('pay_notifications')
      .column('out_trade_no')
      .execute();

    await db.schema
      .createTable('refunds')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('out_refund_no', 'varchar(64)', (col) => col.notNull().unique())
      .addColumn('out_trade_no', 'varchar(32)', (col) => col.notNull())
      .addColumn('amount_fen', 'integer', (col) => col.notNull())
      .addColumn('reason', 'varchar(80)')
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('refund_id', 'varchar(64)')
      .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
      .addColumn('updated_at', 'varchar(32)', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('refunds_order').on('refunds').column('out_trade_no').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('refunds').execute();
    await db.schema.dropTable('pay_notifications').execute();
    await db.schema.dropTable('orders').execute();
  },
};
