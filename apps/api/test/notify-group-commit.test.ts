import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommitter } from '../src/pay/group-commit';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/store/database';
import { insertOrder, orderRow } from './pay-kit';

describe('the notify group commit', () => {
  let handle: DatabaseHandle;
  beforeEach(async () => {
    handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle.db);
  });
  afterEach(async () => {
    await handle.close();
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
});
