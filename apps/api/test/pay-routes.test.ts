import type { OrderView, OrdersPage, PayWalletResponse } from '@wxh5/contracts';
import { verifyJsapiPaySign } from '@wxh5/wechat-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, startEmulator, startTestApi, type TestApi, type TestEmulator } from './support';
import { normalizeClientIp } from '../src/pay/order-service';
import { DEMO, clientAs, orderRow, pollUntil, sessionCookie } from './pay-kit';

let emulator: TestEmulator;
let aliceOpenId: string;
let bobOpenId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
  bobOpenId = await emulator.openIdOf('bob');
});
afterAll(async () => {
  await emulator.close();
});

describe.each(['sqlite', 'postgres'] as const)('pay routes on %s', (database) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: emulator.url, database });
  });
  afterAll(async () => {
    await api.close();
  });

  const as = (openId: string) => clientAs(api, openId);

  it("creates a PENDING order at the product's price, prepays it at WeChat and answers signed JSAPI pay params", async () => {
    const response = await as(aliceOpenId).post('/api/wechat/pay/payWallet', { productId: 'course' });
    expect(response.status).toBe(200);
    const { data } = response.json<{ data: PayWalletResponse }>();
    expect(data.outTradeNo).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(data.payParams.appId).toBe(DEMO.appId);
    expect(data.payParams.signType).toBe('HMAC-SHA256');
    expect(data.payParams.package).toMatch(/^prepay_id=\w+$/);
    expect(verifyJsapiPaySign(data.payParams, DEMO.payKey)).toBe(true);

    const row = await orderRow(api.deps.db, data.outTradeNo);
    expect(row).toMatchObject({
      status: 'PENDING',
      amount_fen: 19_900,
      openid: aliceOpenId,
      // The product's title is the description WeChat shows the user.
      description: 'TypeScript 实战课程',
      product_id: 'course',
      unit_price_fen: 19_900,
      quantity: 1,
    });
    expect(row?.prepay_id).toBe(data.payParams.package.slice('prepay_id='.length));
    const atWechat = await emulator.control<Record<string, unknown>>(
      'GET',
      `/__emulator/orders/${data.outTradeNo}?mchId=${DEMO.mchId}`,
    );
    expect(atWechat).toMatchObject({
      trade_state: 'NOTPAY',
      total_fee: 19_900,
      body: 'TypeScript 实战课程',
      openid: aliceOpenId,
      notify_url: `${api.url}/api/wechat/pay/callback`,
      sign_type: 'HMAC-SHA256',
    });
  });

  it('marks the order PAID when WeChat delivers the payment notify', async () => {
    const created = await as(aliceOpenId).post('/api/wechat/pay/payWallet', {
      productId: 'tip',
      amountFen: 500,
    });
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    const { transactionId } = await emulator.control<{ transactionId: string }>(
      'POST',
      `/__emulator/orders/${outTradeNo}/pay`,
      {},
    );
    const row = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'PAID',
    );
    expect(row).toMatchObject({ status: 'PAID', transaction_id: transactionId });
    const view = await as(aliceOpenId).get(`/api/wechat/pay/orders/${outTradeNo}`);
    expect(view.json<{ data: OrderView }>().data).toMatchObject({
      outTradeNo,
      amountFen: 500,
      status: 'PAID',
      transactionId,
      refundedFen: 0,
    });
  });

  it.each([
    ['zero', { productId: 'tip', amountFen: 0 }],
    ['negative', { productId: 'tip', amountFen: -1 }],
    ['fractional', { productId: 'tip', amountFen: 1.5 }],
    ['a string', { productId: 'tip', amountFen: '100' }],
    ['huge', { productId: 'tip', amountFen: 100_000_001 }],
  ])('refuses an amountFen that is %s with 400 invalid_amount and writes no order', async (_name, body) => {
    const before = await api.deps.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await as(bobOpenId).post('/api/wechat/pay/payWallet', body);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_amount' });
    const after = await api.deps.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses unknown fields with 400 invalid_request', async () => {
    const response = await as(bobOpenId).post('/api/wechat/pay/payWallet', {
      productId: 'tip',
      amountFen: 100,
      openid: 'someone-else',
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a body that is not JSON with 400 invalid_json', async () => {
    const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, bobOpenId), 'content-type': 'application/json' },
      body: '{"amountFen": 1',
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_json' });
  });

  it('refuses a body over 16 KB with 413', async () => {
    const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, bobOpenId) },
      json: { productId: 'tip', amountFen: 100, note: 'x'.repeat(17 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers a known pay path asked with the wrong method with 405 in the envelope', async () => {
    const client = createHttpClient(api.url);
    const wrong = await client.get('/api/wechat/pay/payWallet');
    expect(wrong.status).toBe(405);
    expect(wrong.json()).toMatchObject({ error: 'method_not_allowed' });
    expect(wrong.headers.get('allow')).toContain('POST');
    expect((await client.get('/api/wechat/pay/callback')).status).toBe(405);
  });

  it('refuses every pay route without a session with 401', async () => {
    const client = createHttpClient(api.url);
    const answers = await Promise.all([
      client.post('/api/wechat/pay/payWallet', { json: { productId: 'tip', amountFen: 100 } }),
      client.get('/api/wechat/pay/orders'),
      client.get('/api/wechat/pay/orders/20260101000000000abcdefghijklmno'),
      client.post('/api/wechat/pay/orders/20260101000000000abcdefghijklmno/close'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(answers[0]?.json()).toMatchObject({ error: 'unauthenticated' });
  });

  it("answers 404 for another user's order, for reading and for closing", async () => {
    const created = await as(aliceOpenId).post('/api/wechat/pay/payWallet', {
      productId: 'tip',
      amountFen: 200,
    });
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    const read = await as(bobOpenId).get(`/api/wechat/pay/orders/${outTradeNo}`);
    expect(read.status).toBe(404);
    expect(read.json()).toMatchObject({ error: 'order_not_found' });
    const close = await as(bobOpenId).post(`/api/wechat/pay/orders/${outTradeNo}/close`);
    expect(close.status).toBe(404);
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
  });

  it("lists only the user's own orders, newest first, page by page", async () => {
    const carol = await emulator.openIdOf('carol');
    const created: string[] = [];
    for (const amountFen of [11, 12, 13]) {
      const response = await as(carol).post('/api/wechat/pay/payWallet', { productId: 'tip', amountFen });
      created.push(response.json<{ data: PayWalletResponse }>().data.outTradeNo);
    }
    const first = (await as(carol).get('/api/wechat/pay/orders?limit=2')).json<{ data: OrdersPage }>().data;
    expect(first.orders.map((o) => o.outTradeNo)).toEqual([created[2], created[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await as(carol).get(`/api/wechat/pay/orders?limit=2&cursor=${first.nextCursor}`)).json<{
      data: OrdersPage;
    }>().data;
    expect(second.orders.map((o) => o.outTradeNo)).toEqual([created[0]]);
    expect(second.nextCursor).toBeNull();
    const bad = await as(carol).get('/api/wechat/pay/orders?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    const tooMany = await as(carol).get('/api/wechat/pay/orders?limit=500');
    expect(tooMany.status).toBe(400);
  });

  it('closes an unpaid order at WeChat and here, and closing again is a no-op', async () => {
    const created = await as(aliceOpenId).post('/api/wechat/pay/payWallet', {
      productId: 'tip',
      amountFen: 300,
    });
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    const closed = await as(aliceOpenId).post(`/api/wechat/pay/orders/${outTradeNo}/close`);
    expect(closed.status).toBe(200);
    expect(closed.json<{ data: OrderView }>().data.status).toBe('CLOSED');
    const atWechat = await emulator.control<{ trade_state: string }>(
      'GET',
      `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
    );
    expect(atWechat.trade_state).toBe('CLOSED');
    const again = await as(aliceOpenId).post(`/api/wechat/pay/orders/${outTradeNo}/close`);
    expect(again.status).toBe(200);
    expect(again.json<{ data: OrderView }>().data.status).toBe('CLOSED');
  });

  it('refuses to close a paid order with 409 order_already_paid', async () => {
    const created = await as(aliceOpenId).post('/api/wechat/pay/payWallet', {
      productId: 'tip',
      amountFen: 301,
    });
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    await emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'PAID',
    );
    const close = await as(aliceOpenId).post(`/api/wechat/pay/orders/${outTradeNo}/close`);
    expect(close.status).toBe(409);
    expect(close.json()).toMatchObject({ error: 'order_already_paid' });
  });
});

describe('the client IP sent as spbill_create_ip', () => {
  async function clientIpWith(
    env: Record<string, string>,
    headers: Record<string, string>,
  ): Promise<string | undefined> {
    const api = await startTestApi({ emulatorUrl: emulator.url, env });
    try {
      const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
        headers: { cookie: await sessionCookie(api, aliceOpenId), ...headers },
        json: { productId: 'tip', amountFen: 10 },
      });
      expect(response.status).toBe(200);
      const { outTradeNo } = response.json<{ data: PayWalletResponse }>().data;
      return (await orderRow(api.deps.db, outTradeNo))?.client_ip;
    } finally {
      await api.close();
    }
  }

  it('is the socket address in IPv4 form, ignoring X-Forwarded-For unless TRUST_PROXY is set', async () => {
    expect(await clientIpWith({}, { 'x-forwarded-for': '203.0.113.7' })).toBe('127.0.0.1');
  });

  // Each trusted proxy appends what it saw; the leftmost entries are the client's own words (see hardening.test.ts).
  it('is the X-Forwarded-For address TRUST_PROXY_HOPS from the right when TRUST_PROXY is set', async () => {
    const twoProxies = { TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' };
    expect(await clientIpWith(twoProxies, { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' })).toBe(
      '203.0.113.7',
    );
  });
});

describe('normalizeClientIp', () => {
  it.each([
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:192.168.0.1', '192.168.0.1'],
    ['10.0.0.9', '10.0.0.9'],
    ['2001:db8::1', '2001:db8::1'],
    ['', '127.0.0.1'],
  ])('turns %j into %j', (input, expected) => {
    expect(normalizeClientIp(input)).toBe(expected);
  });
});
