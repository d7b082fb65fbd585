import { CompiledQuery, sql, type Compilable, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ordersPageQuery,
  pendingOrdersQuery,
  processingRefundsQuery,
  reservedRefundsQuery,
} from '../src/pay/queries';
import { RESERVING_REFUND_STATUSES } from '../src/pay/refund-service';
import { sessionCheckQuery } from '../src/users/session-repository';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/store/database';
import { refusedNotificationsQuery } from '../src/store/prune-notifications';
import { PAY_AND_RECORD_SQL } from '../src/pay/batched-writes';
import type { Database } from '../src/store/schema';
import { TEST_POSTGRES_URL, randomSuffix } from './support';

/**
 * The plans of the queries whose cost grows with the tables (src/pay/queries.ts, the very builders the services
 * run), on both databases: each must read through its index — no full scan, and no sort of every matching row
 * when the query pages with ORDER BY … LIMIT. Plans, not timings: these fail the moment an index is dropped or a
 * query stops matching one.
 */
interface PlannedQuery {
  name: string;
  build: (db: Kysely<Database>) => Compilable;
  index: string;
  /** PostgreSQL's index when it is another one. */
  postgresIndex?: string;
  /** Paged with ORDER BY … LIMIT: the index must deliver the order (no sort step). */
  ordered: boolean;
}

const OPENID = 'oPlanOpenId00000000000000001';
const T = '2026-01-02T03:04:05.000Z';

const QUERIES: PlannedQuery[] = [
  {
    name: "the orders list's first page",
    build: (db) => ordersPageQuery(db, OPENID, 20, undefined),
    index: 'orders_openid_id',
    postgresIndex: 'orders_openid_newest',
    ordered: true,
  },
  {
    name: "the orders list's next page (cursor)",
    build: (db) => ordersPageQuery(db, OPENID, 20, 123_456),
    index: 'orders_openid_id',
    postgresIndex: 'orders_openid_newest',
    ordered: true,
  },
  {
    name: "the sweep's PENDING orders, least recently checked first",
    build: (db) => pendingOrdersQuery(db, T, T, 100),
    index: 'orders_pending_checked',
    ordered: true,
  },
  {
    name: "the sweep's PROCESSING refunds, least recently checked first",
    build: (db) => processingRefundsQuery(db, { updatedBefore: T, checkedBefore: T, now: T }, 100),
    index: 'refunds_processing_checked',
    ordered: true,
  },
  {
    name: "a refund's reservation (the order's refunds by status)",
    build: (db) => reservedRefundsQuery(db, 'W1', RESERVING_REFUND_STATUSES),
    index: 'refunds_order_status',
    ordered: false,
  },
  {
    // Every authenticated request: the user's session version and the revocation of its session id, neither scanned.
    name: 'the session check (users by openid, revoked_sessions by session id)',
    build: (db) => sessionCheckQuery(db, OPENID, 'c2Vzc2lvbi1pZC0xMjM0NTY3'),
    index: 'sqlite_autoindex_users_1',
    postgresIndex: 'users_openid_key',
    ordered: false,
  },
  {
    name: "an order's notifications (the audit trail)",
    build: (db) =>
      db.selectFrom('pay_notifications').selectAll().where('out_trade_no', '=', 'W1').orderBy('id', 'asc'),
    index: 'pay_notifications_order',
    ordered: false,
  },
  {
    name: "the prune's batch of refusal evidence by age",
    build: (db) => refusedNotificationsQuery(db, T, 5000),
    index: 'pay_notifications_refused',
    ordered: false,
  },
];

describe('query plans on SQLite (EXPLAIN QUERY PLAN)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  it.each(QUERIES)('reads $name through $index', async ({ build, index, ordered }) => {
    const compiled = build(handle.db).compile();
    const { rows } = await handle.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
    );
    const steps = rows.map((row) => row.detail);
    // `SCAN orders` is a full scan; `SEARCH orders USING INDEX x (…)` is a seek; a temp B-tree is a sort.
    expect(steps.filter((step) => /^SCAN /.test(step))).toEqual([]);
    expect(steps.some((step) => step.startsWith('SEARCH ') && step.includes(`INDEX ${index} `))).toBe(true);
    if (ordered) expect(steps.filter((step) => step.includes('TEMP B-TREE'))).toEqual([]);
  });

  it('keeps the orders list on orders_openid_id when statistics say the user holds most of the table', async () => {
    // ANALYZE (or `PRAGMA optimize`) over a table where this user has most orders but the newest are someone
    // else's: without a hint SQLite then walks the table backwards by id, reading every newer order of the others.
    const skewed = openDatabase('sqlite::memory:');
    try {
      await migrateToLatest(skewed.db);
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      for (let start = 0; start < 3000; start += 500) {
        await skewed.db
          .insertInto('orders')
          .values(
            Array.from({ length: 500 }, (_, k) => {
              const i = start + k;
              return {
                out_trade_no: `Q${String(i).padStart(10, '0')}`,
                openid: i < 2000 ? OPENID : `oOther${i}`,
                amount_fen: 1,
                description: 'plan',
                status: 'PAID',
                sign_scheme: 'MD5',
                client_ip: '127.0.0.1',
                refunded_fen: 0,
                created_at: at(i),
                updated_at: at(i),
              };
            }),
          )
          .execute();
      }
      await sql`analyze`.execute(skewed.db);
      for (const beforeId of [undefined, 1500]) {
        const compiled = ordersPageQuery(skewed.db, OPENID, 20, beforeId).compile();
        const { rows } = await skewed.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
        );
        expect(rows.map((row) => row.detail)).toEqual([
          expect.stringMatching(/^SEARCH orders USING INDEX orders_openid_id \(openid=\?/),
        ]);
      }
    } finally {
      await skewed.close();
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe('query plans on PostgreSQL (EXPLAIN, sequential scans priced out)', () => {
  const schema = `api_plans_${randomSuffix()}`;
  let admin: pg.Client;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    handle = openDatabase(TEST_POSTGRES_URL, { schema });
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  });

  // An empty table is cheapest to read whole; `enable_seqscan = off` prices a sequential scan out, as a table of
  // millions of rows would, so the plan shows what the indexes offer. A plan that still scans had no index to use.
  it.each(QUERIES)(
    'reads $name through its index',
    async ({ build, index: sqliteIndex, postgresIndex, ordered }) => {
      const index = postgresIndex ?? sqliteIndex;
      const compiled = build(handle.db).compile();
      const plan = await handle.db.transaction().execute(async (trx) => {
        await trx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
        const { rows } = await trx.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]),
        );
        return rows[0]!['QUERY PLAN'][0]!.Plan;
      });
      const nodes = planNodes(plan);
      expect(nodes.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
      expect(nodes.some((node) => node['Index Name'] === index)).toBe(true);
      if (ordered) expect(nodes.filter((node) => node['Node Type'] === 'Sort')).toEqual([]);
    },
  );

  it('keeps the orders list on orders_openid_newest when statistics say the user holds most of the table', async () => {
    // The trap of the (openid, id) index on PostgreSQL: this user owns 20k of 30k orders, the newest 10k are other
    // users'. With ORDER BY id the planner walked the primary key backwards (it expects a match every 1.5 rows) and
    // read past all 10k newer rows for one page. Real statistics, real plans: no enable_seqscan here.
    await sql`
      insert into orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, client_ip, refunded_fen,
                          created_at, updated_at)
      select 'S' || lpad(g::text, 10, '0'), case when g <= 20000 then ${OPENID} else 'oOther' || (g % 500) end, 1,
             'plan', 'PAID', 'MD5', '127.0.0.1', 0, ${T}, ${T}
      from generate_series(1, 30000) g`.execute(handle.db);
    await sql`analyze orders`.execute(handle.db);
    for (const beforeId of [undefined, 15_000]) {
      const compiled = ordersPageQuery(handle.db, OPENID, 20, beforeId).compile();
      const { rows } = await handle.db.executeQuery<{
        'QUERY PLAN': { Plan: PlanNode & { 'Actual Rows'?: number } }[];
      }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]));
      const nodes = planNodes(rows[0]!['QUERY PLAN'][0]!.Plan) as (PlanNode & {
        'Rows Removed by Filter'?: number;
      })[];
      expect(nodes.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
        ['Limit', undefined],
        ['Index Scan', 'orders_openid_newest'],
      ]);
      expect(nodes.reduce((sum, node) => sum + (node['Rows Removed by Filter'] ?? 0), 0)).toBe(0);
    }
  });

  it("plans the notify's batched write (a named prepared statement) through the orders indexes, generic plan too", async () => {
    // Real statistics (run after the test above: 30k PAID orders, plus 2k here, half of them PENDING), real plans —
    // custom, and the generic plan PostgreSQL may keep for a named statement after a few executions.
    await sql`
      insert into orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, client_ip, refunded_fen,
                          created_at, updated_at)
      select 'B' || lpad(g::text, 10, '0'), 'oBatch' || (g % 100), 1, 'plan',
             case when g % 2 = 0 then 'PENDING' else 'PAID' end, 'MD5', '127.0.0.1', 0, ${T}, ${T}
      from generate_series(1, 2000) g`.execute(handle.db);
    await sql`analyze orders`.execute(handle.db);
    const plans = await handle.db.connection().execute(async (conn) => {
      const out: PlanNode[] = [];
      await conn.executeQuery(CompiledQuery.raw(`prepare pay_and_record_plan as ${PAY_AND_RECORD_SQL}`));
      try {
        for (const mode of ['force_custom_plan', 'force_generic_plan']) {
          await conn.executeQuery(CompiledQuery.raw(`set plan_cache_mode = ${mode}`));
          const { rows } = await conn.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
            CompiledQuery.raw(
              "explain (format json) execute pay_and_record_plan ('{0,1}', '{B0000000002,B0000000004}', '{T1,T2}', '{P,P}', '{N,N}', '{1,1}', '{MD5,MD5}', " +
                "'{pay,pay}', '{<xml/>,<xml/>}', '{accepted,accepted}', '{T1,T2}', '{R,R}', '{\"{}\",\"{}\"}')",
            ),
          );
          out.push(rows[0]!['QUERY PLAN'][0]!.Plan);
        }
      } finally {
        await conn.executeQuery(CompiledQuery.raw('deallocate pay_and_record_plan'));
        await conn.executeQuery(CompiledQuery.raw('reset plan_cache_mode'));
      }
      return out;
    });
    for (const plan of plans) {
      const nodes = planNodes(plan);
      expect(nodes.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
      // The lock seeks each of the batch's orders by out_trade_no (then sorts those few); the UPDATE goes to the
      // locked tuple.
      expect(nodes.map((node) => node['Index Name']).filter(Boolean)).toEqual(['orders_out_trade_no_key']);
      expect(nodes.some((node) => node['Node Type'] === 'Tid Scan')).toBe(true);
    }
  });
});
