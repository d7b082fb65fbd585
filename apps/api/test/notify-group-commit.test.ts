import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFastPay, payPendingIfMatches } from '../src/pay/apply-payment';
import { createGroupCommitter } from '../src/pay/group-commit';
import { recordNotification } from '../src/pay/record-notification';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/store/database';
import { insertOrder, notificationsFor, orderRow } from './pay-kit';
import { TEST_POSTGRES_URL, randomSuffix } from './support';

const silent = pino({ level: 'silent' });

async function onPostgres(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

describe.each(['sqlite', 'postgres'] as const)('the notify group commit on %s', (database) => {
  let handle: DatabaseHandle;
  const schema = `api_gc_${randomSuffix()}`;
  beforeEach(async () => {
    if (database === 'sqlite') {
      handle = openDatabase('sqlite::memory:');
    } else {
      await onPostgres(`create schema "${schema}"`);
      handle = openDatabase(TEST_POSTGRES_URL, { schema });
    }
    await migrateToLatest(handle.db);
  });
  afterEach(async () => {
    await handle.close();
    if (database === 'postgres') await onPostgres(`drop schema if exists "${schema}" cascade`);
  });

  it('commits the jobs queued together and answers each with its own result', async () => {
    const committer = createGroupCommitter(handle.db);
    for (const id of ['A1', 'A2', 'A3']) await insertOrder(handle.db, { outTradeNo: id, amountFen: 1 });
    const results = await Promise.all(
      ['A3', 'A1', 'A2'].map((id) =>
        committer.run(id, async (trx) => {
          await trx.updateTable('orders').set({ status: 'PAID' }).where('out_trade_no', '=', id).execute();
          return id;
        }),
      ),
    );
    expect(results).toEqual(['A3', 'A1', 'A2']);
    for (const id of ['A1', 'A2', 'A3']) expect((await orderRow(handle.db, id))?.status).toBe('PAID');
  });

  it('keeps one failing job from failing or half-writing its neighbours', async () => {
    const committer = createGroupCommitter(handle.db);
    for (const id of ['B1', 'B2']) await insertOrder(handle.db, { outTradeNo: id, amountFen: 1 });
    const outcomes = await Promise.allSettled([
      committer.run('B1', async (trx) => {
        await trx.updateTable('orders').set({ status: 'PAID' }).where('out_trade_no', '=', 'B1').execute();
        return 'ok';
      }),
      committer.run('B2', async (trx) => {
        await trx.updateTable('orders').set({ status: 'PAID' }).where('out_trade_no', '=', 'B2').execute();
        throw new Error('poison');
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect((await orderRow(handle.db, 'B1'))?.status).toBe('PAID');
    // The failing job's own write was rolled back.
    expect((await orderRow(handle.db, 'B2'))?.status).toBe('PENDING');
  });

  it('moves each order once and answers every notify of a batch — copies and wrong amounts — by its own facts', async () => {
    // One inFlight batch, so all eight jobs below share one transaction (and, on PostgreSQL, one UPDATE and one
    // INSERT for the whole batch).
    const committer = createGroupCommitter(handle.db, { inFlight: 1 });
    const ids = ['C1', 'C2', 'C3', 'C4'];
    for (const id of ids) await insertOrder(handle.db, { outTradeNo: id, amountFen: 100 });
    const notify = (id: string, transactionId: string, amountFen: number) =>
      committer.run(id, async (trx) => {
        const fact = { outTradeNo: id, transactionId, paidAt: 'P', now: 'N', source: 'notify' };
        const moved = await payPendingIfMatches(trx, fact, { amountFen, signScheme: 'HMAC-SHA256' }, silent);
        await recordNotification(trx, {
          kind: 'pay',
          rawBody: `<xml>${id}</xml>`,
          headers: {},
          verdict: moved ? 'accepted' : 'not_moved',
          outTradeNo: id,
          transactionId,
          receivedAt: 'R',
        });
        return moved;
      });
    const outcomes = await Promise.allSettled([
      notify('C1', 'X1', 100),
      notify('C1', 'X1', 100),
      notify('C1', 'X1', 100),
      notify('C2', 'X2', 999),
      notify('C2', 'X2', 100),
      notify('C3', 'X3', 100),
      notify('C3', 'Y3', 100),
      notify('C4', 'X4', 100),
    ]);
    const values = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'));
    // Each order moved by exactly one notify: the first copy, the right amount, one of two transactions.
    expect(values.slice(0, 3)).toEqual([true, false, false]);
    expect(values.slice(3, 5)).toEqual([false, true]);
    expect(values.slice(5, 7).filter((v) => v === true)).toHaveLength(1);
    expect(values[7]).toBe(true);
    const c3 = await orderRow(handle.db, 'C3');
    expect(c3?.status).toBe('PAID');
    expect(['X3', 'Y3']).toContain(c3?.transaction_id);
    expect((await orderRow(handle.db, 'C1'))?.transaction_id).toBe('X1');
    expect((await orderRow(handle.db, 'C2'))?.transaction_id).toBe('X2');
    // Every job's audit row, once.
    expect((await notificationsFor(handle.db, 'C1')).map((n) => n.verdict).sort()).toEqual([
      'accepted',
      'not_moved',
      'not_moved',
    ]);
    expect((await notificationsFor(handle.db, 'C2')).map((n) => n.verdict).sort()).toEqual([
      'accepted',
      'not_moved',
    ]);
    expect((await notificationsFor(handle.db, 'C4')).map((n) => n.verdict)).toEqual(['accepted']);
  });

  it('rolls back a poisoned notify job alone: its neighbours in the batch still move and record', async () => {
    const committer = createGroupCommitter(handle.db, { inFlight: 1 });
    for (const id of ['D1', 'D2']) await insertOrder(handle.db, { outTradeNo: id, amountFen: 100 });
    const outcomes = await Promise.allSettled(
      ['D1', 'D2'].map((id) =>
        committer.run(id, async (trx) => {
          const fact = { outTradeNo: id, transactionId: `X${id}`, paidAt: 'P', now: 'N', source: 'notify' };
          const moved = await payPendingIfMatches(
            trx,
            fact,
            { amountFen: 100, signScheme: 'HMAC-SHA256' },
            silent,
          );
          await recordNotification(trx, {
            kind: 'pay',
            rawBody: '<xml/>',
            headers: {},
            verdict: 'accepted',
            outTradeNo: id,
            transactionId: `X${id}`,
            receivedAt: 'R',
          });
          if (id === 'D2') throw new Error('poison');
          return moved;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect((await orderRow(handle.db, 'D1'))?.status).toBe('PAID');
    expect(await notificationsFor(handle.db, 'D1')).toHaveLength(1);
    expect((await orderRow(handle.db, 'D2'))?.status).toBe('PENDING');
    expect(await notificationsFor(handle.db, 'D2')).toEqual([]);
  });
  /** A notify through the fast path, as handle-pay-notify.ts makes it. */
  function fastNotify(
    fastPay: ReturnType<typeof createFastPay>,
    id: string,
    transactionId: string,
    amountFen: number,
    signScheme = 'HMAC-SHA256',
  ) {
    return fastPay(
      { outTradeNo: id, transactionId, paidAt: 'P', now: 'N', amountFen, signScheme },
      {
        kind: 'pay',
        rawBody: `<xml>${id} ${transactionId}</xml>`,
        headers: { 'wechatpay-serial': 'S' },
        verdict: 'accepted',
        outTradeNo: id,
        transactionId,
        receivedAt: 'R',
      },
    );
  }

  it('fast path: moves each order once and records exactly what it moved; the rest writes nothing', async () => {
    // One statement in flight, so the eleven notifies below share a batch (on PostgreSQL one statement).
    const fastPay = createFastPay(handle.db, createGroupCommitter(handle.db, { inFlight: 1 }), silent, {
      inFlight: 1,
    });
    for (const id of ['F1', 'F2', 'F3', 'F4'])
      await insertOrder(handle.db, { outTradeNo: id, amountFen: 100 });
    await insertOrder(handle.db, { outTradeNo: 'F5', amountFen: 100, status: 'CLOSED' });
    const values = await Promise.all([
      fastNotify(fastPay, 'F1', 'X1', 100),
      fastNotify(fastPay, 'F1', 'X1', 100),
      fastNotify(fastPay, 'F1', 'X1', 100),
      fastNotify(fastPay, 'F2', 'X2', 999),
      fastNotify(fastPay, 'F3', 'X3', 100),
      fastNotify(fastPay, 'F3', 'Y3', 100),
      fastNotify(fastPay, 'F4', 'X4', 100, 'MD5'),
      fastNotify(fastPay, 'F5', 'X5', 100),
      fastNotify(fastPay, 'F9', 'X9', 100),
    ]);
    // F1: one of three copies; F3: one of two transactions; F2 (amount), F4 (scheme), F5 (CLOSED), F9 (unknown):
    // none — they go the long way.
    expect(values.slice(0, 3).filter(Boolean)).toHaveLength(1);
    expect(values[3]).toBe(false);
    expect(values.slice(4, 6).filter(Boolean)).toHaveLength(1);
    expect(values.slice(6)).toEqual([false, false, false]);
    expect(await orderRow(handle.db, 'F1')).toMatchObject({ status: 'PAID', transaction_id: 'X1' });
    const f3 = await orderRow(handle.db, 'F3');
    expect(f3?.status).toBe('PAID');
    expect(f3?.transaction_id).toBe(values[4] ? 'X3' : 'Y3');
    for (const id of ['F2', 'F4']) expect((await orderRow(handle.db, id))?.status).toBe('PENDING');
    expect((await orderRow(handle.db, 'F5'))?.status).toBe('CLOSED');
    // The audit rows: one per move, with what the notify carried.
    const f1 = await notificationsFor(handle.db, 'F1');
    expect(f1.map((n) => [n.verdict, n.transaction_id, n.raw_body])).toEqual([
      ['accepted', 'X1', '<xml>F1 X1</xml>'],
    ]);
    expect(JSON.parse(f1[0]?.headers ?? '{}')).toEqual({ 'wechatpay-serial': 'S' });
    expect((await notificationsFor(handle.db, 'F3')).map((n) => n.transaction_id)).toEqual([
      f3?.transaction_id,
    ]);
    for (const id of ['F2', 'F4', 'F5', 'F9']) expect(await notificationsFor(handle.db, id)).toEqual([]);
  });

  it('fast path: copies racing through separate statements still move the order once', async () => {
    // Three statements in flight (three connections on PostgreSQL): the copies lock the row in turn; the losers
    // find it PAID (PostgreSQL re-checks the condition on the row's newest version).
    const fastPay = createFastPay(handle.db, createGroupCommitter(handle.db), silent, { maxBatch: 1 });
    for (const id of ['G1', 'G2']) await insertOrder(handle.db, { outTradeNo: id, amountFen: 100 });
    const values = await Promise.all(
      Array.from({ length: 12 }, (_, i) => fastNotify(fastPay, i % 2 ? 'G1' : 'G2', `T${i % 2}`, 100)),
    );
    expect(values.filter(Boolean)).toHaveLength(2);
    for (const id of ['G1', 'G2']) {
      expect((await orderRow(handle.db, id))?.status).toBe('PAID');
      expect(await notificationsFor(handle.db, id)).toHaveLength(1);
    }
  });

  it.runIf(database === 'postgres')(
    'fast path: a statement that fails commits nothing and answers false for every notify in it',
    async () => {
      const fastPay = createFastPay(handle.db, createGroupCommitter(handle.db), silent, { inFlight: 1 });
      for (const id of ['H1', 'H2']) await insertOrder(handle.db, { outTradeNo: id, amountFen: 100 });
      // A transaction id longer than the column (varchar 64) fails the whole statement.
      const values = await Promise.all([
        fastNotify(fastPay, 'H1', 'X1', 100),
        fastNotify(fastPay, 'H2', 'Z'.repeat(65), 100),
      ]);
      expect(values).toEqual([false, false]);
      for (const id of ['H1', 'H2']) {
        expect((await orderRow(handle.db, id))?.status).toBe('PENDING');
        expect(await notificationsFor(handle.db, id)).toEqual([]);
      }
      // The long way (or the next try) still moves the good one.
      expect(await fastNotify(fastPay, 'H1', 'X1', 100)).toBe(true);
    },
  );
});
