import { ROUTES, type OrderView, type PayWalletResponse } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayServices } from '../src/pay/create-pay-services';
import { runPaySweep } from '../src/pay/pay-sweep';
import {
  createHttpClient,
  createTestClock,
  startEmulator,
  startTestApi,
  type FaultKind,
  type TestApi,
  type TestClock,
  type TestEmulator,
} from './support';
import { DEMO, clientAs, orderRow, sessionCookie } from './pay-kit';

// Short per-attempt timeout so an injected `timeout` fault (the emulator holds the request 30 s) fails fast. The
// status-route throttle is off (0): a test here polls twice in a row and expects both polls to ask WeChat.
const FAST_ENV = { WECHAT_TIMEOUT_MS: '300', PAY_RECONCILE_MIN_INTERVAL_SECONDS: '0' };

let emulator: TestEmulator;
let aliceOpenId: string;
let api: TestApi;
let clock: TestClock;

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
  clock = createTestClock();
  api = await startTestApi({ emulatorUrl: emulator.url, env: FAST_ENV, now: clock.now });
});
afterAll(async () => {
  await api.close();
  await emulator.close();
});

async function payWallet(amountFen: number) {
  return clientAs(api, aliceOpenId, clock.now).post(ROUTES.payWallet, { productId: 'tip', amountFen });
}

async function latestOrderOf(openId: string) {
  return api.deps.db
    .selectFrom('orders')
    .selectAll()
    .where('openid', '=', openId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

async function emulatorOrder(outTradeNo: string) {
  const response = await fetch(`${emulator.url}/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function unifiedOrderCalls(): Promise<number> {
  return (await emulator.counters()).endpoints['/pay/unifiedorder'] ?? 0;
}

describe('payWallet when WeChat Pay misbehaves', () => {
  it.each<[FaultKind, number]>([
    ['http500', 503],
    ['timeout', 503],
    ['systemerror', 503],
    ['busy', 503],
  ])(
    'answers %s on every attempt with %i, keeps the order PENDING and retries a bounded number of times',
    async (kind, status) => {
      const callsBefore = await unifiedOrderCalls();
      await emulator.fault('/pay/unifiedorder', kind, 3);
      const response = await payWallet(222);
      expect(response.status).toBe(status);
      expect(response.json()).toMatchObject({ error: 'wechat_unavailable' });
      expect(await unifiedOrderCalls()).toBe(callsBefore + 3);
      const row = await latestOrderOf(aliceOpenId);
      expect(row).toMatchObject({ status: 'PENDING', amount_fen: 222, prepay_id: null });
    },
  );

  it.each<FaultKind>(['http500', 'timeout', 'systemerror', 'busy'])(
    'recovers from one %s by retrying with the same out_trade_no: one order at WeChat',
    async (kind) => {
      await emulator.fault('/pay/unifiedorder', kind, 1);
      const response = await payWallet(333);
      expect(response.status).toBe(200);
      const { outTradeNo } = response.json<{ data: PayWalletResponse }>().data;
      const atWechat = await emulatorOrder(outTradeNo);
      expect(atWechat.body).toMatchObject({
        out_trade_no: outTradeNo,
        total_fee: 333,
        trade_state: 'NOTPAY',
      });
      expect(
        await api.deps.db.selectFrom('orders').select('id').where('out_trade_no', '=', outTradeNo).execute(),
      ).toHaveLength(1);
    },
  );

  it('answers 502 wechat_error when WeChat Pay refuses the order outright, keeping it PENDING', async () => {
    // An openid of another app: WeChat answers a business error (appid和openid不匹配), which is not retried.
    const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, 'oNotAUserOfThisApp00000000000', clock.now()) },
      json: { productId: 'tip', amountFen: 100 },
    });
    expect(response.status).toBe(502);
    expect(response.json()).toMatchObject({ error: 'wechat_error' });
    expect((await latestOrderOf('oNotAUserOfThisApp00000000000')).status).toBe('PENDING');
  });

  it('closes an order whose unifiedorder never reached WeChat once it expires', async () => {
    await emulator.fault('/pay/unifiedorder', 'http500', 3);
    expect((await payWallet(444)).status).toBe(503);
    const row = await latestOrderOf(aliceOpenId);
    expect((await emulatorOrder(row.out_trade_no)).status).toBe(404);
    clock.advance(31 * 60_000);
    const report = await runPaySweep(api.deps, createPayServices(api.deps));
    expect(report.errors).toBe(0);
    expect((await orderRow(api.deps.db, row.out_trade_no))?.status).toBe('CLOSED');
  });

  it('answers the stored state when WeChat is down during a status read, and reconciles afterwards', async () => {
    const response = await payWallet(555);
    const { outTradeNo } = response.json<{ data: PayWalletResponse }>().data;
    await emulator.fault('notify', 'drop', 20);
    await emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    clock.advance(60_000);
    await emulator.fault('/pay/orderquery', 'http500', 1);
    const queriesBefore = (await emulator.counters()).endpoints['/pay/orderquery'] ?? 0;
    const cookie = await sessionCookie(api, aliceOpenId, clock.now());
    const whileDown = await createHttpClient(api.url).get(`/api/wechat/pay/orders/${outTradeNo}`, {
      headers: { cookie },
    });
    expect(whileDown.status).toBe(200);
    expect(whileDown.json<{ data: OrderView }>().data.status).toBe('PENDING');
    // The user is waiting: one attempt, no retries (the sweep retries properly).
    expect((await emulator.counters()).endpoints['/pay/orderquery']).toBe(queriesBefore + 1);
    const afterwards = await createHttpClient(api.url).get(`/api/wechat/pay/orders/${outTradeNo}`, {
      headers: { cookie },
    });
    expect(afterwards.json<{ data: OrderView }>().data.status).toBe('PAID');
  });
});
