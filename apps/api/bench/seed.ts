/**
 * Builds a benchmark database of `size` orders quickly, on SQLite or PostgreSQL, with the app's own migrations:
 *
 *   pnpm --filter @wxh5/api bench:seed --size 2000000 --database sqlite:/tmp/orders-2m.sqlite
 *   pnpm --filter @wxh5/api bench:seed --size 100000 --database postgres://postgres@127.0.0.1:5432/mydb
 *
 * The rows come from the database itself in one statement (a recursive CTE on SQLite, generate_series on
 * PostgreSQL) inside one transaction, with the orders table's secondary indexes dropped during the load and
 * rebuilt after it (one sort each instead of 2M random inserts). What is in it:
 *
 * - `oBenchBig`: 100,000 orders (every ⌊size/100k⌋-th row, so they are spread through the table as a long-lived
 *   customer's would be); `oBenchSmall`: 100 orders; every other order belongs to a user with 20.
 * - statuses: 2% PENDING, ~8% CLOSED, the rest PAID; created_at one second apart, ending now.
 * - `bench_meta(size)` says what was seeded (run.ts reuses a seeded database when it matches).
 */
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { migrateToLatest, openDatabase } from '../src/store/database';
import type { Database } from '../src/store/schema';

export const BIG_USER = 'oBenchBig';
export const SMALL_USER = 'oBenchSmall';
export const BIG_USER_ORDERS = 100_000;
export const SMALL_USER_ORDERS = 100;

/** The secondary indexes of `orders` as the migrations made them (name + CREATE statement). */
async function orderIndexes(db: Kysely<Database>, dialect: 'sqlite' | 'postgres') {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{
      name: string;
      sql: string;
    }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'orders' and sql is not null`.execute(
      db,
    );
    return rows.map((r) => ({ name: r.name, create: r.sql }));
  }
  // Plain indexes only: the primary key and the unique out_trade_no are constraints and stay.
  const { rows } = await sql<{ name: string; create: string }>`
    select i.indexname as name, i.indexdef as "create" from pg_indexes i
    where i.tablename = 'orders' and i.schemaname = current_schema()
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db);
  return rows;
}

export async function seedOrders(url: string, size: number): Promise<{ seconds: number }> {
  if (size < BIG_USER_ORDERS) throw new Error(`size must be at least ${BIG_USER_ORDERS}`);
  const started = performance.now();
  // One statement builds every row: far longer than the app's statement timeout (2M rows: about a minute).
  const handle = openDatabase(url, { statementTimeoutMs: 30 * 60_000 });
  const { db, dialect } = handle;
  try {
    await migrateToLatest(db);
    if (dialect === 'sqlite') await sql`pragma synchronous = off`.execute(db);
    const stride = Math.floor(size / BIG_USER_ORDERS);
    const endSeconds = Math.floor(Date.now() / 1000);
    const startSeconds = endSeconds - size;
    await db.transaction().execute(async (trx) => {
      const indexes = await orderIndexes(trx, dialect);
      for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
      await sql`create table if not exists bench_meta (size integer not null)`.execute(trx);
      await sql`delete from bench_meta`.execute(trx);
      if (dialect === 'sqlite') {
        await sql`
          with recursive seq(i) as (select 0 union all select i + 1 from seq where i < ${size - 1})
          insert into orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, client_ip,
            transaction_id, paid_at, refunded_fen, created_at, updated_at)
          select o.no, o.openid, 100 + o.i % 1000, 'bench', o.status, 'HMAC-SHA256', '127.0.0.1',
            case when o.status = 'PAID' then '42' || printf('%026d', o.i) end,
            case when o.status = 'PAID' then o.at end, 0, o.at, o.at
          from (
            select i, 'S' || printf('%015d', i) as no,
              case when i % ${stride} = 0 and i / ${stride} < ${BIG_USER_ORDERS} then ${BIG_USER}
                else 'oBenchU' || (i / 20) end as openid,
              case when i % 50 = 0 then 'PENDING' when i % 12 = 0 then 'CLOSED' else 'PAID' end as status,
              strftime('%Y-%m-%dT%H:%M:%fZ', ${startSeconds} + i, 'unixepoch') as at
            from seq
          ) as o`.execute(trx);
      } else {
        await sql`
          insert into orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, client_ip,
            transaction_id, paid_at, refunded_fen, created_at, updated_at)
          select o.no, o.openid, 100 + o.i % 1000, 'bench', o.status, 'HMAC-SHA256', '127.0.0.1',
            case when o.status = 'PAID' then '42' || lpad(o.i::text, 26, '0') end,
            case when o.status = 'PAID' then o.at end, 0, o.at, o.at
          from (
            select i, 'S' || lpad(i::text, 15, '0') as no,
              case when i % ${stride} = 0 and i / ${stride} < ${BIG_USER_ORDERS} then ${BIG_USER}
                else 'oBenchU' || (i / 20) end as openid,
              case when i % 50 = 0 then 'PENDING' when i % 12 = 0 then 'CLOSED' else 'PAID' end as status,
              to_char(to_timestamp(${startSeconds}::bigint + i) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
            from generate_series(0, ${size - 1}::integer) as i
          ) as o`.execute(trx);
      }
      const at = new Date(endSeconds * 1000).toISOString();
      await trx
        .insertInto('orders')
        .values(
          Array.from({ length: SMALL_USER_ORDERS }, (_, i) => ({
            out_trade_no: `M${String(i).padStart(15, '0')}`,
            openid: SMALL_USER,
            amount_fen: 100 + i,
            description: 'bench',
            status: 'PAID',
            sign_scheme: 'HMAC-SHA256',
            client_ip: '127.0.0.1',
            transaction_id: `43${String(i).padStart(26, '0')}`,
            paid_at: at,
            refunded_fen: 0,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
      for (const index of indexes) await sql.raw(index.create).execute(trx);
      await sql`insert into bench_meta (size) values (${size})`.execute(trx);
    });
    await sql`analyze`.execute(db);
  } finally {
    await handle.close();
  }
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * The users whose orders lists are measured, as a login would have written them (the session check reads the user's
 * session version on every request). Idempotent: also run on a database seeded before it existed.
 */
export async function ensureBenchUsers(url: string): Promise<void> {
  const handle = openDatabase(url);
  try {
    const now = new Date().toISOString();
    await handle.db
      .insertInto('users')
      .values(
        [BIG_USER, SMALL_USER].map((openid) => ({
          openid,
          unionid: null,
          nickname: '',
          avatar_url: '',
          scope: 'snsapi_base',
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((conflict) => conflict.column('openid').doNothing())
      .execute();
  } finally {
    await handle.close();
  }
}

/** The size a database was seeded with, or undefined (absent, or not a bench database). */
export async function seededSize(url: string): Promise<number | undefined> {
  const handle = openDatabase(url);
  try {
    const { rows } = await sql<{ size: number }>`select size from bench_meta`.execute(handle.db);
    return rows[0] ? Number(rows[0].size) : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const size = Number(argument('size') ?? 100_000);
  const url = argument('database');
  if (!url || !Number.isInteger(size)) {
    console.error('usage: bench:seed --size <orders> --database <sqlite:file | postgres://…>');
    process.exit(2);
  }
  seedOrders(url, size)
    .then(({ seconds }) =>
      console.log(`seeded ${size} orders (+${SMALL_USER_ORDERS}) in ${seconds.toFixed(1)} s`),
    )
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
