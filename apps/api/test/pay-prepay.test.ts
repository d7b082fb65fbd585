import type { OrderView, PayWalletResponse } from '@wxh5/contracts';
import { verifyJsapiPaySign } from '@wxh5/wechat-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  createTestClock,
  startEmulator,
  startTestApi,
  type TestApi,
  type TestEmulator,
} from './support';
import { DEMO, clientAs, createOrderAs, orderRow, pollUntil, sessionCookie } from './pay-kit';

// POST /api/wechat/pay/orders/:outTradeNo/prepay — 再次支付 in the H5: pay params for the same out_trade_no while
// the order may still be paid, re-prepaying at WeChat with the same parameters when the stored prepay_id is gone or
// stale, closing (at WeChat first) and refusing once the order is past its time_expire.

let emulator: TestEmulator;
let aliceOpenId: string;
let bobOpenId: string;
let api: TestApi;
const clock = createTestClock();

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
  bobOpenId = await emulator.openIdOf('bob');
  // Orders live 3 h here, longer than a prepay_id's 2 h, so a test can meet a stale prepay on a payable order.
  api = await startTestApi({
    emulatorUrl: emulator.url,
    now: clock.now,
    env: { ORDER_EXPIRE_MINUTES: '180' },
  });
});
afterAll(async () => {
  await api.close();
  await emulator.close();
});

const as = (openId: string) => clientAs(api, openId, clock.now);

const prepayPath = (outTradeNo: string) => `/api/wechat/pay/orders/${outTradeNo}/prepay`;

const createOrder = (openId: string, amountFen: number): Promise<PayWalletResponse> =>
  createOrderAs(api, openId, { amountFen }, clock.now);

async function tradeStateAtWechat(outTradeNo: string): Promise<string> {
  const order = await emulator.control<{ trade_state: string }>(
    'GET',
    `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
  );
  return order.trade_state;
}

describe('paying an order again', () => {
  it('answers signed pay params for the same out_trade_no and the same prepay_id while the prepay is valid', async () => {
    const first = await createOrder(aliceOpenId, 1200);
    const again = await as(aliceOpenId).post(prepayPath(first.outTradeNo));
    expect(again.status).toBe(200);
    const { data } = again.json<{ data: PayWalletResponse }>();
    expect(data.outTradeNo).toBe(first.outTradeNo);
    expect(data.payParams.package).toBe(first.payParams.package);
    expect(data.payParams.signType).toBe(first.payParams.signType);
    expect(verifyJsapiPaySign(data.payParams, DEMO.payKey)).toBe(true);
    // The api did not need WeChat for this: the order there is the one unifiedorder made.
    expect(await tradeStateAtWechat(first.outTradeNo)).toBe('NOTPAY');
  });

  it('pays through the re-issued params: the cashier pays the same order, which ends PAID', async () => {
    const first = await createOrder(aliceOpenId, 1300);
    const again = (await as(aliceOpenId).post(prepayPath(first.outTradeNo))).json<{
      data: PayWalletResponse;
    }>();
    expect(again.data.outTradeNo).toBe(first.outTradeNo);
    await emulator.control('POST', `/__emulator/orders/${first.outTradeNo}/pay`, {});
    const row = await pollUntil(
      () => orderRow(api.deps.db, first.outTradeNo),
      (r) => r?.status === 'PAID',
    );
    expect(row).toMatchObject({ status: 'PAID', amount_fen: 1300 });
  });

  it('re-prepays at WeChat with the same parameters once the stored prepay_id is stale', async () => {
    const first = await createOrder(aliceOpenId, 1400);
    const before = await orderRow(api.deps.db, first.outTradeNo);
    clock.advance(2 * 60 * 60 * 1000 + 60_000);
    try {
      const again = await as(aliceOpenId).post(prepayPath(first.outTradeNo));
      expect(again.status).toBe(200);
      const { data } = again.json<{ data: PayWalletResponse }>();
      expect(data.outTradeNo).toBe(first.outTradeNo);
      expect(verifyJsapiPaySign(data.payParams, DEMO.payKey)).toBe(true);
      // WeChat took the identical parameters (no OUT_TRADE_NO_USED) and answered a prepay_id the api stored anew.
      const after = await orderRow(api.deps.db, first.outTradeNo);
      expect(data.payParams.package).toBe(`prepay_id=${after?.prepay_id}`);
      expect(Date.parse(after?.prepay_expires_at ?? '')).toBeGreaterThan(
        Date.parse(before?.prepay_expires_at ?? ''),
      );
      expect(after).toMatchObject({ status: 'PENDING', amount_fen: 1400 });
    } finally {
      clock.advance(-(2 * 60 * 60 * 1000 + 60_000));
    }
  });

  it('prepays at WeChat an order whose first unifiedorder failed', async () => {
    await emulator.control('POST', '/__emulator/faults', {
      endpoint: '/pay/unifiedorder',
      kind: 'systemerror',
      count: 6,
    });
    const failed = await as(aliceOpenId).post('/api/wechat/pay/payWallet', {
      productId: 'tip',
      amountFen: 1500,
    });
    expect(failed.status).toBeGreaterThanOrEqual(502);
    // Whatever the api's retries left of the faults is used up by calls that are refused anyway.
    for (let i = 0; i < 6; i += 1) {
      const { faults } = await emulator.control<{ faults: Array<{ remaining: number }> }>(
        'GET',
        '/__emulator/faults',
      );
      if (faults.every((f) => f.remaining === 0)) break;
      await as(bobOpenId).post('/api/wechat/pay/payWallet', { productId: 'tip', amountFen: 1 });
    }
    const rows = await api.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('openid', '=', aliceOpenId)
      .where('amount_fen', '=', 1500)
      .execute();
    expect(rows).toHaveLength(1);
    const outTradeNo = rows[0]!.out_trade_no;
    expect(rows[0]).toMatchObject({ status: 'PENDING', prepay_id: null });

    const again = await as(aliceOpenId).post(prepayPath(outTradeNo));
    expect(again.status).toBe(200);
    const { data } = again.json<{ data: PayWalletResponse }>();
    expect(data.outTradeNo).toBe(outTradeNo);
    expect((await orderRow(api.deps.db, outTradeNo))?.prepay_id).toBe(data.payParams.package.slice(10));
    expect(await tradeStateAtWechat(outTradeNo)).toBe('NOTPAY');
  });

  it('closes an order past its time_expire, at WeChat first, and refuses it with 409 order_closed', async () => {
    const first = await createOrder(aliceOpenId, 1600);
    clock.advance(181 * 60_000);
    try {
      const again = await as(aliceOpenId).post(prepayPath(first.outTradeNo));
      expect(again.status).toBe(409);
      expect(again.json()).toMatchObject({ error: 'order_closed' });
      expect(await orderRow(api.deps.db, first.outTradeNo)).toMatchObject({ status: 'CLOSED' });
      expect(await tradeStateAtWechat(first.outTradeNo)).toBe('CLOSED');
      const read = (await as(aliceOpenId).get(`/api/wechat/pay/orders/${first.outTradeNo}`)).json<{
        data: OrderView;
      }>();
      expect(read.data.status).toBe('CLOSED');
    } finally {
      clock.advance(-181 * 60_000);
    }
  });

  it('refuses a closed order with 409 order_closed and a paid one with 409 order_already_paid', async () => {
    const closed = await createOrder(aliceOpenId, 1700);
    expect((await as(aliceOpenId).post(`/api/wechat/pay/orders/${closed.outTradeNo}/close`)).status).toBe(
      200,
    );
    const onClosed = await as(aliceOpenId).post(prepayPath(closed.outTradeNo));
    expect(onClosed.status).toBe(409);
    expect(onClosed.json()).toMatchObject({ error: 'order_closed' });

    const paid = await createOrder(aliceOpenId, 1701);
    await emulator.control('POST', `/__emulator/orders/${paid.outTradeNo}/pay`, {});
    await pollUntil(
      () => orderRow(api.deps.db, paid.outTradeNo),
      (r) => r?.status === 'PAID',
    );
    const onPaid = await as(aliceOpenId).post(prepayPath(paid.outTradeNo));
    expect(onPaid.status).toBe(409);
    expect(onPaid.json()).toMatchObject({ error: 'order_already_paid' });
  });

  it('learns at WeChat that an order was paid without a notify, and refuses it as paid', async () => {
    const first = await createOrder(aliceOpenId, 1800);
    await emulator.control('POST', '/__emulator/faults', { endpoint: 'notify', kind: 'drop', count: 16 });
    try {
      await emulator.control('POST', `/__emulator/orders/${first.outTradeNo}/pay`, {});
      // Past its time to pay, the api asks WeChat before closing: WeChat says paid (ORDERPAID), so it is PAID here.
      clock.advance(181 * 60_000);
      const again = await as(aliceOpenId).post(prepayPath(first.outTradeNo));
      expect(again.status).toBe(409);
      expect(again.json()).toMatchObject({ error: 'order_already_paid' });
      expect(await orderRow(api.deps.db, first.outTradeNo)).toMatchObject({ status: 'PAID' });
    } finally {
      clock.advance(-181 * 60_000);
      for (let i = 0; i < 16; i += 1) {
        const { faults } = await emulator.control<{ faults: Array<{ endpoint: string; remaining: number }> }>(
          'GET',
          '/__emulator/faults',
        );
        if (!faults.some((f) => f.endpoint === 'notify' && f.remaining > 0)) break;
        await emulator.control('POST', `/__emulator/notifies/${first.outTradeNo}/resend`, {});
      }
    }
  });

  it("answers 404 for another user's order, an unknown one and a malformed number", async () => {
    const alices = await createOrder(aliceOpenId, 1900);
    const answers = await Promise.all([
      as(bobOpenId).post(prepayPath(alices.outTradeNo)),
      as(aliceOpenId).post(prepayPath('20260101000000000abcdefghijklmno')),
      as(aliceOpenId).post(prepayPath('not-an-order')),
      as(aliceOpenId).post(prepayPath('a'.repeat(33))),
      as(aliceOpenId).post(prepayPath('%E8%AE%A2%E5%8D%95')),
    ]);
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    for (const answer of answers) expect(answer.json()).toMatchObject({ error: 'order_not_found' });
    expect((await orderRow(api.deps.db, alices.outTradeNo))?.status).toBe('PENDING');
  });

  it('refuses without a session (401), with a tampered one (401) and with another method (405)', async () => {
    const order = await createOrder(aliceOpenId, 2000);
    const client = createHttpClient(api.url);
    const anonymous = await client.post(prepayPath(order.outTradeNo));
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: 'unauthenticated' });
    const tampered = await client.post(prepayPath(order.outTradeNo), {
      headers: {
        cookie: (await sessionCookie(api, aliceOpenId, clock.now())).replace('openId.sig=', 'openId.sig=0'),
      },
    });
    expect(tampered.status).toBe(401);
    const wrongMethod = await as(aliceOpenId).get(prepayPath(order.outTradeNo));
    expect(wrongMethod.status).toBe(405);
  });

  it('answers 503 when WeChat cannot be reached for a needed re-prepay, and keeps the order PENDING', async () => {
    const first = await createOrder(aliceOpenId, 2100);
    clock.advance(2 * 60 * 60 * 1000 + 60_000);
    await emulator.control('POST', '/__emulator/faults', {
      endpoint: '/pay/unifiedorder',
      kind: 'http500',
      count: 6,
    });
    try {
      const again = await as(aliceOpenId).post(prepayPath(first.outTradeNo));
      expect(again.status).toBeGreaterThanOrEqual(502);
      expect(again.status).toBeLessThan(504);
      expect(await orderRow(api.deps.db, first.outTradeNo)).toMatchObject({ status: 'PENDING' });
    } finally {
      clock.advance(-(2 * 60 * 60 * 1000 + 60_000));
      for (let i = 0; i < 6; i += 1) {
        const { faults } = await emulator.control<{ faults: Array<{ remaining: number }> }>(
          'GET',
          '/__emulator/faults',
        );
        if (faults.every((f) => f.remaining === 0)) break;
        await as(bobOpenId).post('/api/wechat/pay/payWallet', { productId: 'tip', amountFen: 1 });
      }
    }
  });
});
