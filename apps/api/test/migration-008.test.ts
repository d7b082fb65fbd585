import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, migrateUpTo, openDatabase, type DatabaseHandle } from '../src/store/database';
import { TEST_POSTGRES_URL, randomSuffix } from './support';

const T = '2026-01-02T03:04:05.000Z';

/** A database as the release before 008 left it (005), with a row in every table 008 changes. */
async function seedAt005(handle: DatabaseHandle): Promise<void> {
  await migrateUpTo(handle.db, '005-indexes');
  const { db } = handle;
  await db
    .insertInto('users')
    .values({
      openid: 'oOld',
      unionid: null,
      nickname: 'n',
      avatar_url: '',
      scope: 'snsapi_base',
      created_at: T,
      updated_at: T,
    })
    .execute();
  await db
    .insertInto('orders')
    // The 005 column is sign_type (006 renames it), which the current types no longer know.
    .values({
      out_trade_no: 'OLD1',
      openid: 'oOld',
      amount_fen: 100,
      description: 'old',
      status: 'PAID',
      sign_type: 'MD5',
      client_ip: '127.0.0.1',
      prepay_id: null,
      prepay_expires_at: null,
      transaction_id: 'T1',
      paid_at: T,
      refunded_fen: 0,
      created_at: T,
      updated_at: T,
    } as never)
    .execute();
  await db
    .insertInto('refunds')
    .values({
      out_refund_no: 'R1',
      out_trade_no: 'OLD1',
      amount_fen: 10,
      reason: null,
      status: 'PROCESSING',
      refund_id: null,
      created_at: T,
      updated_at: T,
    })
    .execute();
  await db
    .insertInto('pay_notifications')
    .values({
      kind: 'pay',
      raw_body: '<xml/>',
      verdict: 'accepted',
      out_trade_no: 'OLD1',
      transaction_id: 'T1',
      received_at: T,
    })
    .execute();
}

async function expectMigratedRows(handle: DatabaseHandle): Promise<void> {
  const { db } = handle;
  expect(await db.selectFrom('users').select(['openid', 'session_version']).execute()).toEqual([
    { openid: 'oOld', session_version: 0 },
  ]);
  expect(await db.selectFrom('orders').select(['out_trade_no', 'status', 'checked_at']).execute()).toEqual([
    { out_trade_no: 'OLD1', status: 'PAID', checked_at: '' },
  ]);
  expect(
    await db
      .selectFrom('refunds')
      .select(['out_refund_no', 'idempotency_key', 'request_digest', 'submitting_until', 'checked_at'])
      .execute(),
  ).toEqual([
    {
      out_refund_no: 'R1',
      idempotency_key: null,
      request_digest: null,
      submitting_until: '',
      checked_at: '',
    },
  ]);
  expect(
    await db.selectFrom('pay_notifications').select(['verdict', 'source_ip', 'body_sha256']).execute(),
  ).toEqual([{ verdict: 'accepted', source_ip: null, body_sha256: null }]);
  expect(await db.selectFrom('notify_refusals').selectAll().execute()).toEqual([]);
  expect(await db.selectFrom('revoked_sessions').selectAll().execute()).toEqual([]);
}

describe('migration 008-reliability', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('keeps every row on SQLite and gives the new columns their defaults', async () => {
    const handle = openDatabase('sqlite::memory:');
    cleanups.push(() => handle.close());
    await seedAt005(handle);
    await migrateToLatest(handle.db);
    await expectMigratedRows(handle);
  });

  it('keeps every row on PostgreSQL and gives the new columns their defaults', async () => {
    const schema = `api_mig_${randomSuffix()}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    const handle = openDatabase(TEST_POSTGRES_URL, { schema });
    cleanups.push(async () => {
      await handle.close();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    });
    await seedAt005(handle);
    await migrateToLatest(handle.db);
    await expectMigratedRows(handle);
  });
});
