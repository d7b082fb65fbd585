import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, migrateUpTo, openDatabase, type DatabaseHandle } from '../src/store/database';
import { ordersListMigration } from '../src/store/migrations/010-orders-list';
import { TEST_POSTGRES_URL, randomSuffix } from './support';

const T = '2026-01-02T03:04:05.000Z';

/**
 * Migration 006 (orders.sign_type → sign_scheme, pay_notifications.headers) on a database as release 005 left it:
 * rows written with the old columns are all there afterwards, with the same values, on both databases.
 */
describe.each(['sqlite', 'postgres'] as const)('migration 006-sign-scheme on %s', (database) => {
  let handle: DatabaseHandle;
  let dropSchema: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    if (database === 'sqlite') {
      handle = openDatabase('sqlite::memory:');
      return;
    }
    const schema = `api_migrate_${randomSuffix()}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    handle = openDatabase(TEST_POSTGRES_URL, { schema });
    dropSchema = async () => {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    };
  });
  afterEach(async () => {
    await handle.close();
    await dropSchema?.();
    dropSchema = undefined;
  });

  it('renames orders.sign_type to sign_scheme and adds pay_notifications.headers, keeping every row', async () => {
    const { db } = handle;
    await migrateUpTo(db, '005-indexes');
    // Written as the 005 release did: with sign_type and without headers (raw SQL: the schema type is 006's).
    for (const [no, scheme, status] of [
      ['M1', 'MD5', 'PAID'],
      ['M2', 'HMAC-SHA256', 'PENDING'],
      ['M3', 'HMAC-SHA256', 'REFUNDED'],
    ] as const) {
      await sql`insert into orders (out_trade_no, openid, amount_fen, description, status, sign_type, client_ip,
          prepay_id, transaction_id, paid_at, refunded_fen, created_at, updated_at)
        values (${no}, 'oMigrate', 100, 'migrate', ${status}, ${scheme}, '127.0.0.1', ${`wx${no}`},
          ${status === 'PENDING' ? null : `42${no}`}, ${status === 'PENDING' ? null : T},
          ${status === 'REFUNDED' ? 100 : 0}, ${T}, ${T})`.execute(db);
    }
    await sql`insert into pay_notifications (kind, raw_body, verdict, out_trade_no, transaction_id, received_at)
      values ('pay', '<xml>M1</xml>', 'accepted', 'M1', '42M1', ${T})`.execute(db);
    await sql`insert into refunds (out_refund_no, out_trade_no, amount_fen, reason, status, refund_id, created_at,
        updated_at)
      values ('R3', 'M3', 100, null, 'SUCCESS', '50R3', ${T}, ${T})`.execute(db);
    const usersBefore = await db.selectFrom('users').selectAll().execute();

    await migrateToLatest(db);

    const orders = await db.selectFrom('orders').selectAll().orderBy('out_trade_no').execute();
    expect(
      orders.map((o) => [o.out_trade_no, o.sign_scheme, o.status, o.transaction_id, o.refunded_fen]),
    ).toEqual([
      ['M1', 'MD5', 'PAID', '42M1', 0],
      ['M2', 'HMAC-SHA256', 'PENDING', null, 0],
      ['M3', 'HMAC-SHA256', 'REFUNDED', '42M3', 100],
    ]);
    expect(orders[0]).not.toHaveProperty('sign_type');
    expect(orders.every((o) => o.prepay_id === `wx${o.out_trade_no}` && o.created_at === T)).toBe(true);
    expect(await db.selectFrom('pay_notifications').selectAll().execute()).toEqual([
      {
        id: expect.anything(),
        kind: 'pay',
        raw_body: '<xml>M1</xml>',
        verdict: 'accepted',
        out_trade_no: 'M1',
        transaction_id: '42M1',
        received_at: T,
        headers: null,
        // Migration 008's evidence columns (set only on notifies refused before verification).
        source_ip: null,
        body_bytes: null,
        body_sha256: null,
      },
    ]);
    expect(await db.selectFrom('refunds').select(['out_refund_no', 'status', 'refund_id']).execute()).toEqual(
      [{ out_refund_no: 'R3', status: 'SUCCESS', refund_id: '50R3' }],
    );
    expect(await db.selectFrom('users').selectAll().execute()).toEqual(usersBefore);

    // The migrated tables take the new columns.
    await db
      .insertInto('pay_notifications')
      .values({
        kind: 'pay',
        raw_body: '{}',
        verdict: 'accepted',
        out_trade_no: 'M2',
        transaction_id: null,
        received_at: T,
        headers: '{"wechatpay-serial":"S"}',
      })
      .execute();
    const updated = await db
      .updateTable('orders')
      .set({ status: 'PAID' })
      .where('out_trade_no', '=', 'M2')
      .where('sign_scheme', '=', 'HMAC-SHA256')
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    expect(
      await db.selectFrom('pay_notifications').select('headers').where('out_trade_no', '=', 'M2').execute(),
    ).toEqual([{ headers: '{"wechatpay-serial":"S"}' }]);
  });
});

/**
 * Migration 009 (products; orders.product_id / unit_price_fen / quantity) on a database as release 010 left it (009
 * arrives after 010: unordered migrations): the orders placed before it keep every value and show no product, the
 * products table starts empty (no demo product in a migration), and new rows take the new columns.
 */
describe.each(['sqlite', 'postgres'] as const)('migration 009-products on %s', (database) => {
  let handle: DatabaseHandle;
  let dropSchema: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    if (database === 'sqlite') {
      handle = openDatabase('sqlite::memory:');
      return;
    }
    const schema = `api_migrate_${randomSuffix()}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    handle = openDatabase(TEST_POSTGRES_URL, { schema });
    dropSchema = async () => {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    };
  });
  afterEach(async () => {
    await handle.close();
    await dropSchema?.();
    dropSchema = undefined;
  });

  it('adds the products table (empty) and the order product columns (null on old orders), keeping every row', async () => {
    const { db } = handle;
    // Every migration but 009, as the release before it left the database: 010 landed first.
    await migrateUpTo(db, '008-reliability');
    await ordersListMigration.up(db);
    await sql`insert into kysely_migration (name, timestamp) values ('010-orders-list', ${T})`.execute(db);
    for (const [no, status, amount] of [
      ['P1', 'PAID', 19_900],
      ['P2', 'PENDING', 1],
    ] as const) {
      await sql`insert into orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, client_ip,
          prepay_id, transaction_id, paid_at, refunded_fen, created_at, updated_at)
        values (${no}, 'oMigrate', ${amount}, 'before products', ${status}, 'HMAC-SHA256', '127.0.0.1', null,
          ${status === 'PAID' ? `42${no}` : null}, ${status === 'PAID' ? T : null}, 0, ${T}, ${T})`.execute(
        db,
      );
    }

    await migrateToLatest(db);

    const orders = await db.selectFrom('orders').selectAll().orderBy('out_trade_no').execute();
    expect(
      orders.map((o) => [o.out_trade_no, o.status, o.amount_fen, o.description, o.transaction_id]),
    ).toEqual([
      ['P1', 'PAID', 19_900, 'before products', '42P1'],
      ['P2', 'PENDING', 1, 'before products', null],
    ]);
    expect(orders.map((o) => [o.product_id, o.unit_price_fen, o.quantity])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    expect(await db.selectFrom('products').selectAll().execute()).toEqual([]);

    await db
      .insertInto('products')
      .values({
        id: 'course',
        title: 'TypeScript 实战课程',
        description: '',
        price_fen: 19_900,
        allow_custom_amount: 0,
        active: 1,
        created_at: T,
        updated_at: T,
      })
      .execute();
    const [product] = await db.selectFrom('products').selectAll().execute();
    expect(product).toMatchObject({ id: 'course', price_fen: 19_900, title: 'TypeScript 实战课程' });
    expect(Boolean(product?.active)).toBe(true);
    expect(Boolean(product?.allow_custom_amount)).toBe(false);
    await db
      .updateTable('orders')
      .set({ product_id: 'course', unit_price_fen: 19_900, quantity: 1 })
      .where('out_trade_no', '=', 'P2')
      .execute();
    expect(
      await db
        .selectFrom('orders')
        .select(['product_id', 'quantity'])
        .where('out_trade_no', '=', 'P2')
        .execute(),
    ).toEqual([{ product_id: 'course', quantity: 1 }]);
  });
});

describe('migrating on PostgreSQL while other schemas churn', () => {
  it(
    'is not upset by tables created and dropped elsewhere in the database meanwhile',
    { timeout: 60_000 },
    async () => {
      // Kysely's own table check introspected every table of every schema (pg_get_serial_sequence on each column): a
      // table dropped by another session mid-query failed the migration ("column … does not exist"), seen in CI.
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      const churnSchema = `api_churn_${randomSuffix()}`;
      const schemas = Array.from({ length: 6 }, () => `api_churned_${randomSuffix()}`);
      let churning = true;
      const churn = (async () => {
        const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await client.connect();
        try {
          for (let i = 0; churning; i += 1) {
            await client.query(`create schema "${churnSchema}"`);
            await client.query(
              `create table "${churnSchema}".t${i % 3} (id serial primary key, a text, b text, c text, d text)`,
            );
            await client.query(`drop schema "${churnSchema}" cascade`);
          }
        } finally {
          await client.end();
        }
      })();
      try {
        for (const schema of schemas) await admin.query(`create schema "${schema}"`);
        for (let round = 0; round < 3; round += 1) {
          await Promise.all(
            schemas.map(async (schema) => {
              const handle = openDatabase(TEST_POSTGRES_URL, { schema });
              try {
                await migrateToLatest(handle.db);
              } finally {
                await handle.close();
              }
            }),
          );
          for (const schema of schemas) {
            await admin.query(`drop schema "${schema}" cascade`);
            await admin.query(`create schema "${schema}"`);
          }
        }
      } finally {
        churning = false;
        await churn;
        for (const schema of [...schemas, churnSchema]) {
          await admin.query(`drop schema if exists "${schema}" cascade`);
        }
        await admin.end();
      }
    },
  );
});
