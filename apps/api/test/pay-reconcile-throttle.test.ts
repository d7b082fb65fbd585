import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { OrderView } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  createTestClock,
  randomSuffix,
  useFileEmulator,
  startTestApi,
  type TestApi,
  type TestClock,
} from './support';
import { createOrderAs, orderRow, pollUntil, sessionCookie } from './pay-kit';

/**
 * The status route asks WeChat (orderquery) about a stale PENDING order at most once per
 * PAY_RECONCILE_MIN_INTERVAL_SECONDS per order, across every instance sharing the cache.
 */

const shared = useFileEmulator();

async function orderQueries(): Promise<number> {
  return (await shared.emulator.counters()).endpoints['/pay/orderquery'] ?? 0;
}

async function createOrder(api: TestApi, clock: TestClock, amountFen: number): Promise<string> {
  return (await createOrderAs(api, shared.aliceOpenId, { amountFen }, clock.now)).outTradeNo;
}

async function statusOf(api: TestApi, clock: TestClock, outTradeNo: string): Promise<string> {
  const response = await createHttpClient(api.url).get(`/api/wechat/pay/orders/${outTradeNo}`, {
    headers: { cookie: await sessionCookie(api, shared.aliceOpenId, clock.now()) },
  });
  expect(response.status).toBe(200);
  return response.json<{ data: OrderView }>().data.status;
}

describe('one instance (in-process cache), default interval of 5 s', () => {
  let api: TestApi;
  let clock: TestClock;
  beforeAll(async () => {
    clock = createTestClock();
    api = await startTestApi({ emulatorUrl: shared.emulator.url, now: clock.now });
  });
  afterAll(async () => {
    await api.close();
  });

  it('asks WeChat once for two quick polls of a stale PENDING order, and again after the interval', async () => {
    expect(api.config.pay.reconcileMinIntervalSeconds).toBe(5);
    const outTradeNo = await createOrder(api, clock, 701);
    clock.advance(11_000);
    const before = await orderQueries();
    expect(await statusOf(api, clock, outTradeNo)).toBe('PENDING');
    expect(await statusOf(api, clock, outTradeNo)).toBe('PENDING');
    expect(await orderQueries()).toBe(before + 1);

    clock.advance(4_000);
    expect(await statusOf(api, clock, outTradeNo)).toBe('PENDING');
    expect(await orderQueries()).toBe(before + 1);

    clock.advance(1_000);
    expect(await statusOf(api, clock, outTradeNo)).toBe('PENDING');
    expect(await orderQueries()).toBe(before + 2);
  });

  it('throttles each order on its own', async () => {
    const first = await createOrder(api, clock, 702);
    const second = await createOrder(api, clock, 703);
    clock.advance(11_000);
    const before = await orderQueries();
    await statusOf(api, clock, first);
    await statusOf(api, clock, second);
    await statusOf(api, clock, first);
    await statusOf(api, clock, second);
    expect(await orderQueries()).toBe(before + 2);
  });

  it('never asks WeChat about a PAID order', async () => {
    const outTradeNo = await createOrder(api, clock, 704);
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    const row = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'PAID',
    );
    expect(row?.status).toBe('PAID');
    clock.advance(60_000);
    const before = await orderQueries();
    expect(await statusOf(api, clock, outTradeNo)).toBe('PAID');
    clock.advance(10_000);
    expect(await statusOf(api, clock, outTradeNo)).toBe('PAID');
    expect(await orderQueries()).toBe(before);
  });

  it('still applies what the one query learns: a payment whose notify was lost ends PAID', async () => {
    const outTradeNo = await createOrder(api, clock, 705);
    clock.advance(11_000);
    const before = await orderQueries();
    expect(await statusOf(api, clock, outTradeNo)).toBe('PENDING');
    await shared.emulator.fault('notify', 'drop', 16);
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    // Paid at WeChat, but this poll is inside the interval: the stored state, no query.
    expect(await statusOf(api, clock, outTradeNo)).toBe('PENDING');
    clock.advance(5_000);
    expect(await statusOf(api, clock, outTradeNo)).toBe('PAID');
    expect(await orderQueries()).toBe(before + 2);
  });
});

describe('an interval of 0', () => {
  it('asks WeChat on every poll of a stale PENDING order', async () => {
    const clock = createTestClock();
    const api = await startTestApi({
      emulatorUrl: shared.emulator.url,
      now: clock.now,
      env: { PAY_RECONCILE_MIN_INTERVAL_SECONDS: '0' },
    });
    try {
      const outTradeNo = await createOrder(api, clock, 706);
      clock.advance(11_000);
      const before = await orderQueries();
      await statusOf(api, clock, outTradeNo);
      await statusOf(api, clock, outTradeNo);
      await statusOf(api, clock, outTradeNo);
      expect(await orderQueries()).toBe(before + 3);
    } finally {
      await api.close();
    }
  });
});

describe('two instances sharing Redis and the database', () => {
  const sqliteFile = join(tmpdir(), `wxh5-throttle-${randomSuffix()}.sqlite`);
  const namespace = `test-throttle-${randomSuffix()}`;
  let clock: TestClock;
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    clock = createTestClock();
    const options = {
      emulatorUrl: shared.emulator.url,
      sqliteUrl: `sqlite:${sqliteFile}`,
      redis: true,
      cacheNamespace: namespace,
      now: clock.now,
    };
    a = await startTestApi(options);
    b = await startTestApi(options);
  });
  afterAll(async () => {
    await a.deps.cache.clear();
    await a.close();
    await b.close();
    for (const suffix of ['', '-wal', '-shm']) await rm(`${sqliteFile}${suffix}`, { force: true });
  });

  it('make one orderquery between them for a burst of concurrent polls of one order', async () => {
    const outTradeNo = await createOrder(a, clock, 707);
    clock.advance(11_000);
    const before = await orderQueries();
    const statuses = await Promise.all(
      [a, b, a, b, a, b, a, b].map((api) => statusOf(api, clock, outTradeNo)),
    );
    expect(statuses).toEqual(Array(8).fill('PENDING'));
    expect(await orderQueries()).toBe(before + 1);

    clock.advance(5_000);
    await statusOf(b, clock, outTradeNo);
    await statusOf(a, clock, outTradeNo);
    expect(await orderQueries()).toBe(before + 2);
  });
});
