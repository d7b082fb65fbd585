import type { RefundView } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, useFileEmulator, startTestApi, type TestApi } from './support';
import {
  TEST_ADMIN_TOKEN,
  buildRefundNotify,
  createOrderAs,
  insertOrder,
  orderRow,
  pollUntil,
  postXml,
  testTradeNo,
} from './pay-kit';

const shared = useFileEmulator();

const ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe.each(['sqlite', 'postgres'] as const)('refunds on %s', (database) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: shared.emulator.url, database });
  });
  afterAll(async () => {
    await api.close();
  });

  async function paidOrder(amountFen: number): Promise<string> {
    const { outTradeNo } = await createOrderAs(api, shared.aliceOpenId, { amountFen });
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    const row = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'PAID',
    );
    expect(row?.status).toBe('PAID');
    return outTradeNo;
  }

  const refund = (outTradeNo: string, body: unknown, headers: Record<string, string> = ADMIN) =>
    createHttpClient(api.url).post(`/api/admin/orders/${outTradeNo}/refund`, { headers, json: body });

  async function refundsSettled(outTradeNo: string) {
    return pollUntil(
      () => api.deps.db.selectFrom('refunds').selectAll().where('out_trade_no', '=', outTradeNo).execute(),
      (rows) => rows.every((r) => r.status !== 'PROCESSING'),
    );
  }

  it('refunds partially and then the rest: PAID with refundedFen, then REFUNDED', async () => {
    const outTradeNo = await paidOrder(1000);
    const first = await refund(outTradeNo, { amountFen: 300, reason: '部分退款' });
    expect(first.status).toBe(201);
    const view = first.json<{ data: RefundView }>().data;
    expect(view).toMatchObject({
      outTradeNo,
      amountFen: 300,
      status: 'PROCESSING',
      refundId: expect.any(String),
    });
    await refundsSettled(outTradeNo);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'PAID', refunded_fen: 300 });

    const second = await refund(outTradeNo, { amountFen: 700 });
    expect(second.status).toBe(201);
    const rows = await refundsSettled(outTradeNo);
    expect(rows.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: 1000 });
    const kinds = await api.deps.db
      .selectFrom('pay_notifications')
      .select(['kind', 'verdict'])
      .where('out_trade_no', '=', outTradeNo)
      .where('kind', '=', 'refund')
      .execute();
    expect(kinds.map((k) => k.verdict)).toEqual(['accepted_success', 'accepted_success']);
  });

  it('refuses a refund beyond the paid amount with 409 refund_exceeds_paid', async () => {
    const outTradeNo = await paidOrder(500);
    expect((await refund(outTradeNo, { amountFen: 400 })).status).toBe(201);
    const over = await refund(outTradeNo, { amountFen: 101 });
    expect(over.status).toBe(409);
    expect(over.json()).toMatchObject({ error: 'refund_exceeds_paid' });
    expect((await refund(outTradeNo, { amountFen: 100 })).status).toBe(201);
  });

  it('lets concurrent refunds of one order reserve at most the paid amount', async () => {
    const outTradeNo = await paidOrder(1000);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => refund(outTradeNo, { amountFen: 300 })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    const rows = await refundsSettled(outTradeNo);
    expect(rows.filter((r) => r.status === 'SUCCESS').reduce((sum, r) => sum + r.amount_fen, 0)).toBe(900);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'PAID', refunded_fen: 900 });
  });

  it('applies a refund notify once however often it is replayed', async () => {
    const outTradeNo = await paidOrder(600);
    const created = (await refund(outTradeNo, { amountFen: 600 })).json<{ data: RefundView }>().data;
    await refundsSettled(outTradeNo);
    const body = buildRefundNotify({
      outTradeNo,
      outRefundNo: created.outRefundNo,
      refundFee: 600,
      totalFee: 600,
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postXml(`${api.url}/api/wechat/pay/refund-callback`, body)),
    );
    expect(answers.map((a) => a.returnCode)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: 600 });
  });

  it('releases the reservation when WeChat reports REFUNDCLOSE', async () => {
    // A paid order with one refund in flight, written directly: no emulator notify races the one sent here.
    const outTradeNo = testTradeNo('C');
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 200, status: 'PAID' });
    const now = new Date().toISOString();
    await api.deps.db
      .insertInto('refunds')
      .values({
        out_refund_no: `R${outTradeNo}`.slice(0, 32),
        out_trade_no: outTradeNo,
        amount_fen: 200,
        reason: null,
        status: 'PROCESSING',
        refund_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const over = await refund(outTradeNo, { amountFen: 1 });
    expect(over.json()).toMatchObject({ error: 'refund_exceeds_paid' });
    const closed = await postXml(
      `${api.url}/api/wechat/pay/refund-callback`,
      buildRefundNotify({
        outTradeNo,
        outRefundNo: `R${outTradeNo}`.slice(0, 32),
        refundFee: 200,
        totalFee: 200,
        status: 'REFUNDCLOSE',
      }),
    );
    expect(closed.returnCode).toBe('SUCCESS');
    const row = await api.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('CLOSED');
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'PAID', refunded_fen: 0 });
    // The 200 fen are free again (WeChat is not asked here: the order exists only in our database).
    const again = await refund(outTradeNo, { amountFen: 200 });
    expect(again.json()).not.toMatchObject({ error: 'refund_exceeds_paid' });
  });

  it('refuses a refund notify whose req_info does not decrypt with our key, and records it', async () => {
    const body = buildRefundNotify({
      outTradeNo: 'X1',
      outRefundNo: 'R1',
      refundFee: 1,
      totalFee: 1,
      key: 'OtherPayKey0123456789abcdefABCDEF',
    });
    const answer = await postXml(`${api.url}/api/wechat/pay/refund-callback`, body);
    expect(answer.returnCode).toBe('FAIL');
    expect(answer.contentType).toMatch(/^text\/xml/);
    const recorded = await api.deps.db
      .selectFrom('pay_notifications')
      .selectAll()
      .where('raw_body', '=', body)
      .execute();
    expect(recorded.map((r) => [r.kind, r.verdict])).toEqual([['refund', 'bad_req_info']]);
  });

  it('refuses to refund an unpaid order (409) or an unknown one (404)', async () => {
    const { outTradeNo } = await createOrderAs(api, shared.aliceOpenId, { amountFen: 100 });
    const unpaid = await refund(outTradeNo, { amountFen: 100 });
    expect(unpaid.status).toBe(409);
    expect(unpaid.json()).toMatchObject({ error: 'order_not_paid' });
    const unknown = await refund('NoSuchOrder0000', { amountFen: 100 });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'order_not_found' });
  });

  it('refuses bad refund input: amount 0, fractional, unknown fields', async () => {
    const outTradeNo = await paidOrder(100);
    expect((await refund(outTradeNo, { amountFen: 0 })).json()).toMatchObject({ error: 'invalid_amount' });
    expect((await refund(outTradeNo, { amountFen: 1.5 })).json()).toMatchObject({ error: 'invalid_amount' });
    const unknown = await refund(outTradeNo, { amountFen: 1, force: true });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a missing or wrong admin token with 401 admin_unauthorized', async () => {
    const outTradeNo = await paidOrder(100);
    const none = await refund(outTradeNo, { amountFen: 1 }, {});
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ error: 'admin_unauthorized' });
    const wrong = await refund(
      outTradeNo,
      { amountFen: 1 },
      { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` },
    );
    expect(wrong.status).toBe(401);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ refunded_fen: 0 });
  });
});

describe('admin routes without ADMIN_TOKEN', () => {
  it('do not exist (404)', async () => {
    const api = await startTestApi({ emulatorUrl: shared.emulator.url, env: { ADMIN_TOKEN: undefined } });
    try {
      const response = await createHttpClient(api.url).post('/api/admin/orders/X1/refund', {
        headers: ADMIN,
        json: { amountFen: 1 },
      });
      expect(response.status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
