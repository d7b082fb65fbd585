import type { OrderView, PayWalletResponse } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayServices } from '../src/pay/create-pay-services';
import { runPaySweep, startPaySweep } from '../src/pay/pay-sweep';
import { createPayGateways } from '../src/wechat/pay/create-pay-gateways';
import { createPayClientFor, createV2GatewayFor } from '../src/wechat/pay/v2/create-v2-gateway-for';
import type { PayClient } from '../src/wechat/pay/v2/pay-client';
import {
  createHttpClient,
  createTestClock,
  useFileEmulator,
  startTestApi,
  type TestApi,
  type TestClock,
} from './support';
import { DEMO, TEST_ADMIN_TOKEN, createOrderAs, orderRow, pollUntil, sessionCookie } from './pay-kit';

const shared = useFileEmulator();

/** Create an order through the api, pay it at the emulator while every notify delivery is dropped. */
async function paidWithLostNotify(api: TestApi, clock: TestClock, amountFen: number): Promise<string> {
  const { outTradeNo } = await createOrderAs(api, shared.aliceOpenId, { amountFen }, clock.now);
  // Drop the first delivery and all 15 retries: WeChat never gets through.
  await shared.emulator.fault('notify', 'drop', 16);
  await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
  const atWechat = await shared.emulator.control<{ trade_state: string }>(
    'GET',
    `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
  );
  expect(atWechat.trade_state).toBe('SUCCESS');
  return outTradeNo;
}

describe.each(['sqlite', 'postgres'] as const)('a lost notify on %s', (database) => {
  let api: TestApi;
  let clock: TestClock;
  beforeAll(async () => {
    clock = createTestClock();
    // Every pass may ask again about the same order or refund (these tests sweep repeatedly, 11 s apart).
    api = await startTestApi({
      emulatorUrl: shared.emulator.url,
      database,
      now: clock.now,
      env: { PAY_SWEEP_RECHECK_SECONDS: '0' },
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('still ends PAID through the status route, which reconciles with orderquery', async () => {
    const outTradeNo = await paidWithLostNotify(api, clock, 1200);
    const cookie = await sessionCookie(api, shared.aliceOpenId, clock.now());
    const fresh = await createHttpClient(api.url).get(`/api/wechat/pay/orders/${outTradeNo}`, {
      headers: { cookie },
    });
    // Younger than PAY_RECONCILE_AFTER_SECONDS: answered from the database, no WeChat call.
    expect(fresh.json<{ data: OrderView }>().data.status).toBe('PENDING');
    clock.advance(11_000);
    const later = await createHttpClient(api.url).get(`/api/wechat/pay/orders/${outTradeNo}`, {
      headers: { cookie },
    });
    expect(later.json<{ data: OrderView }>().data).toMatchObject({
      status: 'PAID',
      transactionId: expect.any(String),
    });
    // No notify arrived; the transition made by reconciliation has its own audit row (issue 12).
    const notified = await api.deps.db
      .selectFrom('pay_notifications')
      .select(['kind', 'verdict', 'transaction_id'])
      .where('out_trade_no', '=', outTradeNo)
      .execute();
    expect(notified).toEqual([
      {
        kind: 'pay',
        verdict: 'reconciled',
        transaction_id: later.json<{ data: OrderView }>().data.transactionId,
      },
    ]);
  });

  it('still ends PAID through the background sweep', async () => {
    const outTradeNo = await paidWithLostNotify(api, clock, 1300);
    clock.advance(11_000);
    const report = await runPaySweep(api.deps, createPayServices(api.deps));
    expect(report.paid).toBeGreaterThanOrEqual(1);
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PAID');
  });

  it('answers 409 to a close that WeChat refuses with ORDERPAID, and records the payment', async () => {
    const outTradeNo = await paidWithLostNotify(api, clock, 1250);
    const close = await createHttpClient(api.url).post(`/api/wechat/pay/orders/${outTradeNo}/close`, {
      headers: { cookie: await sessionCookie(api, shared.aliceOpenId, clock.now()) },
    });
    expect(close.status).toBe(409);
    expect(close.json()).toMatchObject({ error: 'order_already_paid' });
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PAID');
  });

  it('re-submits a refund whose outcome was unknown, with the same out_refund_no, and settles it', async () => {
    const created = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, shared.aliceOpenId, clock.now()) },
      json: { productId: 'tip', amountFen: 1600 },
    });
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    // Notifies may still be dropped by the faults of the tests above: settle through the sweep, not the notify.
    const sweepUntil = async (done: () => Promise<boolean>) => {
      for (let i = 0; i < 20 && !(await done()); i += 1) {
        clock.advance(11_000);
        await runPaySweep(api.deps, createPayServices(api.deps));
      }
    };
    await sweepUntil(async () => (await orderRow(api.deps.db, outTradeNo))?.status === 'PAID');

    await shared.emulator.fault('/secapi/pay/refund', 'http500', 3);
    const refund = await createHttpClient(api.url).post(`/api/admin/orders/${outTradeNo}/refund`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      json: { amountFen: 1600 },
    });
    expect(refund.status).toBe(503);
    const pending = await api.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .execute();
    expect(pending.map((r) => r.status)).toEqual(['PROCESSING']);

    const refundRows = () =>
      api.deps.db.selectFrom('refunds').selectAll().where('out_trade_no', '=', outTradeNo).execute();
    await sweepUntil(async () => (await refundRows())[0]?.status === 'SUCCESS');
    const settled = await refundRows();
    expect(settled.map((r) => [r.out_refund_no, r.status])).toEqual([[pending[0]?.out_refund_no, 'SUCCESS']]);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: 1600 });
  });

  it('closes unpaid orders past ORDER_EXPIRE_MINUTES at WeChat and here, once, with two sweeps racing', async () => {
    const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, shared.aliceOpenId, clock.now()) },
      json: { productId: 'tip', amountFen: 1400 },
    });
    const { outTradeNo } = response.json<{ data: PayWalletResponse }>().data;
    clock.advance(31 * 60_000);
    const services = createPayServices(api.deps);
    const reports = await Promise.all([
      runPaySweep(api.deps, services),
      runPaySweep(api.deps, createPayServices(api.deps)),
    ]);
    expect(reports.every((r) => r.errors === 0)).toBe(true);
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('CLOSED');
    const atWechat = await shared.emulator.control<{ trade_state: string }>(
      'GET',
      `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
    );
    expect(atWechat.trade_state).toBe('CLOSED');
  });

  it('keeps an order PENDING while orderquery reports PAYERROR, and closes it at WeChat and here once it expires', async () => {
    const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, shared.aliceOpenId, clock.now()) },
      json: { productId: 'tip', amountFen: 1700 },
    });
    const { outTradeNo } = response.json<{ data: PayWalletResponse }>().data;
    // The emulator has no bank to refuse a payment: the real client, with its orderquery answer rewritten.
    const real = createPayClientFor(api.deps);
    const payErrorClient: PayClient = {
      signType: real.signType,
      unifiedOrder: (input) => real.unifiedOrder(input),
      orderQuery: async (no) => ({ ...(await real.orderQuery(no)), tradeState: 'PAYERROR' }),
      closeOrder: (no) => real.closeOrder(no),
      refund: (input) => real.refund(input),
      refundQuery: (no) => real.refundQuery(no),
    };
    const services = createPayServices(
      api.deps,
      createPayGateways(api.deps, { v2: createV2GatewayFor(api.deps, payErrorClient) }),
    );
    clock.advance(60_000);
    expect((await runPaySweep(api.deps, services)).errors).toBe(0);
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
    clock.advance(31 * 60_000);
    expect((await runPaySweep(api.deps, services)).errors).toBe(0);
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('CLOSED');
    const atWechat = await shared.emulator.control<{ trade_state: string }>(
      'GET',
      `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
    );
    expect(atWechat.trade_state).toBe('CLOSED');
  });
});

describe('startPaySweep', () => {
  it('runs on its interval from start-up and stops when asked', async () => {
    const clock = createTestClock();
    const api = await startTestApi({
      emulatorUrl: shared.emulator.url,
      now: clock.now,
      env: { PAY_SWEEP_INTERVAL_SECONDS: '1' },
    });
    const stop = startPaySweep(api.deps);
    try {
      const outTradeNo = await paidWithLostNotify(api, clock, 1500);
      clock.advance(11_000);
      const row = await pollUntil(
        () => orderRow(api.deps.db, outTradeNo),
        (r) => r?.status === 'PAID',
        60,
        100,
      );
      expect(row?.status).toBe('PAID');
    } finally {
      await stop();
      await api.close();
    }
  });
});
