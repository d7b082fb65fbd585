import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { postgresPoolOf } from '../store/database';
import type { Database } from '../store/schema';

/**
 * The notify's two writes, coalesced across the jobs of one group-commit batch on PostgreSQL (see
 * group-commit.ts). On PostgreSQL each statement is a round trip on the batch's one connection, and a batch ran
 * 2 per notify back to back (measured: ~1,200 notifies/s against ~3,300 on SQLite, where a statement is an
 * in-process call). Here the batch's jobs run side by side; the fast-path UPDATEs they ask for in the same turn of
 * the event loop go out as ONE statement (after one sorted row lock), and so do their audit INSERTs. Each job
 * still gets its own answer — whether its order moved, and its row written — and the transaction, the commit and
 * the reply after the commit are the group commit's, unchanged.
 *
 * Exactly-once is still the conditional UPDATE's: an order moves only from PENDING with the notify's amount and
 * sign type, checked again by PostgreSQL on the row's latest version when it waited for the lock.
 */
export interface PayPendingRequest {
  outTradeNo: string;
  transactionId: string;
  paidAt: string;
  now: string;
  amountFen: number;
  signScheme: string;
}

export interface NotificationRow {
  kind: string;
  raw_body: string;
  verdict: string;
  out_trade_no: string | null;
  transaction_id: string | null;
  received_at: string;
  headers: string | null;
}

export interface BatchedWrites {
  /** Resolves true if this request moved its order PENDING → PAID. */
  payPending(request: PayPendingRequest): Promise<boolean>;
  insertNotification(row: NotificationRow): Promise<void>;
}

interface Waiting<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/** Calls made in one turn of the event loop, run together by `flush` once that turn's jobs have all asked. */
function coalesce<I, O>(flush: (inputs: I[]) => Promise<O[]>): (input: I) => Promise<O> {
  let waiting: Waiting<I, O>[] = [];
  const run = async () => {
    const batch = waiting;
    waiting = [];
    try {
      const outputs = await flush(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(outputs[i] as O));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void run());
      waiting.push({ input, resolve, reject });
    });
}

async function payPendingMany(trx: Transaction<Database>, requests: PayPendingRequest[]): Promise<boolean[]> {
  // Lock the batch's orders in out_trade_no order first, as every instance does: two batches holding the same
  // orders wait for each other instead of deadlocking (the UPDATE's own join order is the planner's choice).
  const outTradeNos = [...new Set(requests.map((r) => r.outTradeNo))].sort();
  await sql`select id from orders where out_trade_no in (${sql.join(outTradeNos)}) order by out_trade_no for update`.execute(
    trx,
  );
  const moved = requests.map(() => false);
  // One source row per order and statement keeps the UPDATE unambiguous: copies of a notify in one batch go in
  // later rounds, in arrival order, as if they had come one after the other (they then find the order PAID).
  let remaining = requests.map((_, i) => i);
  while (remaining.length > 0) {
    const seen = new Set<string>();
    const round: number[] = [];
    const later: number[] = [];
    for (const i of remaining) {
      const outTradeNo = (requests[i] as PayPendingRequest).outTradeNo;
      if (seen.has(outTradeNo)) later.push(i);
      else {
        seen.add(outTradeNo);
        round.push(i);
      }
    }
    const rows = sql.join(
      round.map((i) => {
        const r = requests[i] as PayPendingRequest;
        return sql`(${i}::integer, ${r.outTradeNo}::varchar, ${r.transactionId}::varchar, ${r.paidAt}::varchar, ${r.now}::varchar, ${r.amountFen}::integer, ${r.signScheme}::varchar)`;
      }),
    );
    const result = await sql<{ idx: number }>`
      update orders as o
      set status = 'PAID', transaction_id = v.transaction_id, paid_at = v.paid_at, updated_at = v.now
      from (values ${rows}) as v (idx, out_trade_no, transaction_id, paid_at, now, amount_fen, sign_scheme)
      where o.out_trade_no = v.out_trade_no and o.status = 'PENDING'
        and o.amount_fen = v.amount_fen and o.sign_scheme = v.sign_scheme
      returning v.idx`.execute(trx);
    for (const row of result.rows) moved[Number(row.idx)] = true;
    remaining = later;
  }
  return moved;
}

const batches = new WeakMap<Transaction<Database>, BatchedWrites>();

/** Coalesce the notify writes made on `trx` (PostgreSQL: the SQL above is PostgreSQL's). */
export function startBatchedWrites(trx: Transaction<Database>): void {
  batches.set(trx, {
    payPending: coalesce((requests) => payPendingMany(trx, requests)),
    insertNotification: coalesce(async (rows) => {
      await trx.insertInto('pay_notifications').values(rows).execute();
      return rows.map(() => undefined);
    }),
  });
}

/** The batched writes of `trx`, if its group commit set them up. */
export function batchedWritesOf(executor: unknown): BatchedWrites | undefined {
  return batches.get(executor as Transaction<Database>);
}

/** One notify's fast path: the transition it asks for, and the audit row (verdict accepted) it gets if it moves. */
export interface PayAndRecord {
  request: PayPendingRequest;
  row: NotificationRow;
}

/**
 * The fast path of a batch of notifies on PostgreSQL as ONE statement, committed on its own (autocommit: no BEGIN,
 * no COMMIT — a single statement is a transaction, and PostgreSQL answers it only once its commit is flushed to the
 * WAL, synchronous_commit being on). In order:
 *
 * 1. `locked`: the batch's orders locked in out_trade_no order, as every instance and the batched writes above lock
 *    them, so two batches holding the same orders wait for each other instead of deadlocking. It hands the UPDATE
 *    the locked row version's ctid (stable while the lock is held): the UPDATE goes straight to that tuple (a TID
 *    scan), whatever the statistics say about PENDING orders;
 * 2. `moved`: PENDING → PAID for each order whose amount and sign scheme are exactly the notify's. Exactly-once is
 *    still the conditional UPDATE's: a row another transaction changed meanwhile is checked again on its newest
 *    version (PostgreSQL's EvalPlanQual), and an order already PAID is not `PENDING` any more;
 * 3. `audit`: the audit rows of the notifies that moved their order, in the same statement — they commit together
 *    or not at all.
 *
 * The text is constant (the batch travels as arrays, one per column), so it is the same statement whatever the
 * batch size — four statements fewer per batch than BEGIN / lock / UPDATE / INSERT / COMMIT — and it runs as a
 * named prepared statement: parsed and planned once per connection, not per batch.
 * Returns, per item, whether it moved (and so was recorded); `false` = nothing written for it. One order per
 * statement: a second copy of a notify in the batch is answered `false` and goes the long way (it then finds the
 * order PAID, as if it had come after).
 */
export async function payAndRecordMany(db: Kysely<Database>, items: PayAndRecord[]): Promise<boolean[]> {
  const seen = new Set<string>();
  const chosen: number[] = [];
  items.forEach((item, i) => {
    if (seen.has(item.request.outTradeNo)) return;
    seen.add(item.request.outTradeNo);
    chosen.push(i);
  });
  const column = <T>(pick: (item: PayAndRecord) => T) => chosen.map((i) => pick(items[i] as PayAndRecord));
  const values = [
    chosen,
    column((item) => item.request.outTradeNo),
    column((item) => item.request.transactionId),
    column((item) => item.request.paidAt),
    column((item) => item.request.now),
    column((item) => item.request.amountFen),
    column((item) => item.request.signScheme),
    column((item) => item.row.kind),
    column((item) => item.row.raw_body),
    column((item) => item.row.verdict),
    column((item) => item.row.transaction_id),
    column((item) => item.row.received_at),
    column((item) => item.row.headers),
  ];
  // Named: each pooled connection parses and plans it once, then only binds and executes it (its text is constant).
  const pool = postgresPoolOf(db);
  const result = pool
    ? await pool.query<{ idx: number }>({ name: 'wxh5_pay_and_record_1', text: PAY_AND_RECORD_SQL, values })
    : await db.executeQuery<{ idx: number }>(CompiledQuery.raw(PAY_AND_RECORD_SQL, values));
  const moved = items.map(() => false);
  for (const row of result.rows) moved[Number(row.idx)] = true;
  return moved;
}

export const PAY_AND_RECORD_SQL = `
with v as (
  select * from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
    as v (idx, out_trade_no, transaction_id, paid_at, now, amount_fen, sign_scheme,
          kind, raw_body, verdict, audit_transaction_id, received_at, headers)
),
locked as (
  select o.ctid as row_id, o.out_trade_no from orders o
  where o.out_trade_no = any($2::text[])
  order by o.out_trade_no
  for update
),
moved as (
  update orders as o
  set status = 'PAID', transaction_id = v.transaction_id, paid_at = v.paid_at, updated_at = v.now
  from locked l join v on v.out_trade_no = l.out_trade_no
  where o.ctid = l.row_id and o.status = 'PENDING' and o.amount_fen = v.amount_fen and o.sign_scheme = v.sign_scheme
  returning v.idx
),
audit as (
  insert into pay_notifications (kind, raw_body, verdict, out_trade_no, transaction_id, received_at, headers)
  select v.kind, v.raw_body, v.verdict, v.out_trade_no, v.audit_transaction_id, v.received_at, v.headers
  from moved m join v on v.idx = m.idx
)
select idx from moved`;
