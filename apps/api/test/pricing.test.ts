import type { AdminProductList, AdminProductView, OrderView, ProductList } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product, ProductCatalog } from '../src/pay/product-catalog';
import { createHttpClient, startEmulator, startTestApi, type TestApi, type TestEmulator } from './support';
import { demoV3Env } from './support/v3-merchant';
import {
  TEST_ADMIN_TOKEN,
  buildPayNotify,
  clientAs,
  createOrderAs,
  notificationsFor,
  orderRow,
  postXml,
} from './pay-kit';
import { buildV3PayNotify, postNotify } from './pay-v3-kit';

let emulator: TestEmulator;
let aliceOpenId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
});
afterAll(async () => {
  await emulator.close();
});

const PRODUCTS = '/api/wechat/pay/products';
const PAY_WALLET = '/api/wechat/pay/payWallet';
const ADMIN_PRODUCTS = '/api/admin/products';
const bearer = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** How many unifiedorder requests the emulator has seen (v2): a refused order must not add one. */
async function prepaysAtWechat(): Promise<number> {
  return (await emulator.counters()).endpoints['/pay/unifiedorder'] ?? 0;
}

async function orderCount(api: TestApi): Promise<number> {
  const row = await api.deps.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function putProduct(
  api: TestApi,
  productId: string,
  body: unknown,
  headers: Record<string, string> = bearer,
) {
  return fetch(`${api.url}${ADMIN_PRODUCTS}/${productId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe.each(['sqlite', 'postgres'] as const)('server-side pricing on %s', (database) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: emulator.url, database });
  });
  afterAll(async () => {
    await api.close();
  });
  const as = () => clientAs(api, aliceOpenId);

  /** POST payWallet must answer 400 `slug`, with no order row and no prepay at WeChat. */
  async function expectRefused(body: unknown, slug: string) {
    const [rowsBefore, prepaysBefore] = [await orderCount(api), await prepaysAtWechat()];
    const response = await as().post(PAY_WALLET, body);
    expect(response.status, response.text).toBe(400);
    expect(response.json()).toMatchObject({ error: slug });
    expect(await orderCount(api)).toBe(rowsBefore);
    expect(await prepaysAtWechat()).toBe(prepaysBefore);
  }

  it('lists the active products without a session, in the order they were created', async () => {
    const response = await createHttpClient(api.url).get(PRODUCTS);
    expect(response.status).toBe(200);
    expect(response.json<{ data: ProductList }>().data.products).toEqual([
      {
        id: 'course',
        title: 'TypeScript 实战课程',
        description: expect.any(String),
        priceFen: 19_900,
        allowCustomAmount: false,
      },
      {
        id: 'vip-month',
        title: '月度会员',
        description: expect.any(String),
        priceFen: 3_000,
        allowCustomAmount: false,
      },
      { id: 'tip', title: '打赏', description: expect.any(String), priceFen: 500, allowCustomAmount: true },
    ]);
  });

  it('prices quantity × unit price on the server and shows it on the order', async () => {
    const { outTradeNo } = await createOrderAs(api, aliceOpenId, { productId: 'vip-month', quantity: 3 });
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({
      amount_fen: 9_000,
      product_id: 'vip-month',
      unit_price_fen: 3_000,
      quantity: 3,
      description: '月度会员',
    });
    const atWechat = await emulator.control<Record<string, unknown>>(
      'GET',
      `/__emulator/orders/${outTradeNo}`,
    );
    expect(atWechat).toMatchObject({ total_fee: 9_000, body: '月度会员' });
    const view = await as().get(`/api/wechat/pay/orders/${outTradeNo}`);
    expect(view.json<{ data: OrderView }>().data).toMatchObject({
      amountFen: 9_000,
      description: '月度会员',
      productId: 'vip-month',
      unitPriceFen: 3_000,
      quantity: 3,
    });
    const list = await as().get('/api/wechat/pay/orders');
    expect(list.json<{ data: { orders: OrderView[] } }>().data.orders[0]).toMatchObject({
      outTradeNo,
      productId: 'vip-month',
      quantity: 3,
    });
  });

  it('takes a custom amount only for a product that allows one, and its suggested price without one', async () => {
    const custom = await createOrderAs(api, aliceOpenId, { productId: 'tip', amountFen: 777 });
    expect(await orderRow(api.deps.db, custom.outTradeNo)).toMatchObject({
      amount_fen: 777,
      unit_price_fen: 777,
      quantity: 1,
      product_id: 'tip',
      description: '打赏',
    });
    const suggested = await createOrderAs(api, aliceOpenId, { productId: 'tip' });
    expect(await orderRow(api.deps.db, suggested.outTradeNo)).toMatchObject({ amount_fen: 500, quantity: 1 });
  });

  it.each([
    [
      'a tampered amount for a priced product',
      { productId: 'course', amountFen: 1 },
      'custom_amount_not_allowed',
    ],
    [
      "the product's own price sent as amountFen",
      { productId: 'course', amountFen: 19_900 },
      'custom_amount_not_allowed',
    ],
    ['an unknown product', { productId: 'no-such-thing' }, 'unknown_product'],
    ['a malformed product id', { productId: 'Course!' }, 'invalid_request'],
    ['no product', { amountFen: 100 }, 'invalid_request'],
    ['a zero quantity', { productId: 'course', quantity: 0 }, 'invalid_request'],
    ['a negative quantity', { productId: 'course', quantity: -2 }, 'invalid_request'],
    ['a fractional quantity', { productId: 'course', quantity: 1.5 }, 'invalid_request'],
    ['a quantity over 99', { productId: 'course', quantity: 100 }, 'invalid_request'],
    ['a quantity as a string', { productId: 'course', quantity: '2' }, 'invalid_request'],
    ['a quantity with a custom amount', { productId: 'tip', amountFen: 100, quantity: 2 }, 'invalid_request'],
    ['a custom amount over the maximum', { productId: 'tip', amountFen: 100_000_001 }, 'invalid_amount'],
    ['a client description', { productId: 'tip', amountFen: 100, description: '1 分钱' }, 'invalid_request'],
  ])('refuses %s with 400, no order and nothing at WeChat', async (_name, body, slug) => {
    await expectRefused(body, slug);
  });

  it('refuses a quantity whose total exceeds the maximum with 400 invalid_amount', async () => {
    expect((await putProduct(api, 'big', { title: '大件', priceFen: 60_000_000 })).status).toBe(200);
    await expectRefused({ productId: 'big', quantity: 2 }, 'invalid_amount');
  });

  it('keeps the price an order was placed at when the merchant changes it; new orders get the new price', async () => {
    expect((await putProduct(api, 'ebook', { title: '电子书', priceFen: 1_200 })).status).toBe(200);
    const before = await createOrderAs(api, aliceOpenId, { productId: 'ebook', quantity: 2 });
    const changed = await putProduct(api, 'ebook', { title: '电子书', priceFen: 1_500, description: '新版' });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { data: AdminProductView }).data).toMatchObject({
      id: 'ebook',
      priceFen: 1_500,
      description: '新版',
      active: true,
    });
    const after = await createOrderAs(api, aliceOpenId, { productId: 'ebook', quantity: 2 });
    expect((await orderRow(api.deps.db, after.outTradeNo))?.amount_fen).toBe(3_000);
    const old = await orderRow(api.deps.db, before.outTradeNo);
    expect(old).toMatchObject({ status: 'PENDING', amount_fen: 2_400, unit_price_fen: 1_200 });
    // Paying it again asks WeChat for the price it was placed at.
    const again = await as().post(`/api/wechat/pay/orders/${before.outTradeNo}/prepay`);
    expect(again.status).toBe(200);
    const atWechat = await emulator.control<Record<string, unknown>>(
      'GET',
      `/__emulator/orders/${before.outTradeNo}`,
    );
    expect(atWechat).toMatchObject({ total_fee: 2_400 });
  });

  it('stops selling a deactivated product: gone from the list, refused as product_inactive', async () => {
    expect((await putProduct(api, 'retired', { title: '旧课', priceFen: 100 })).status).toBe(200);
    const deactivated = await putProduct(api, 'retired', { title: '旧课', priceFen: 100, active: false });
    expect(((await deactivated.json()) as { data: AdminProductView }).data.active).toBe(false);
    const listed = await createHttpClient(api.url).get(PRODUCTS);
    expect(listed.json<{ data: ProductList }>().data.products.map((p) => p.id)).not.toContain('retired');
    await expectRefused({ productId: 'retired' }, 'product_inactive');
    const all = await createHttpClient(api.url).get(ADMIN_PRODUCTS, { headers: bearer });
    expect(all.status).toBe(200);
    expect(all.json<{ data: AdminProductList }>().data.products).toContainEqual(
      expect.objectContaining({ id: 'retired', active: false, createdAt: expect.any(String) }),
    );
  });

  it('creates a product with the defaults of the contract (active, fixed price, no description)', async () => {
    const response = await putProduct(api, 'sticker', { title: '  贴纸  ', priceFen: 99 });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: AdminProductView };
    expect(data).toMatchObject({
      id: 'sticker',
      title: '贴纸',
      description: '',
      priceFen: 99,
      allowCustomAmount: false,
      active: true,
    });
    expect(data.createdAt).toBe(data.updatedAt);
  });

  it.each([
    ['no title', { priceFen: 100 }, 'invalid_request'],
    ['an empty title', { title: '  ', priceFen: 100 }, 'invalid_request'],
    [
      'a title over 128 UTF-8 bytes',
      { title: '课'.repeat(40) + 'x'.repeat(9), priceFen: 100 },
      'invalid_request',
    ],
    ['a title with a control character', { title: 'a\u0007b', priceFen: 100 }, 'invalid_request'],
    ['a zero price', { title: 'x', priceFen: 0 }, 'invalid_amount'],
    ['a fractional price', { title: 'x', priceFen: 1.5 }, 'invalid_amount'],
    ['a price over the maximum', { title: 'x', priceFen: 100_000_001 }, 'invalid_amount'],
    ['an unknown field', { title: 'x', priceFen: 100, stock: 3 }, 'invalid_request'],
    ['active as a string', { title: 'x', priceFen: 100, active: 'yes' }, 'invalid_request'],
    ['a body that is not JSON', '{"title": ', 'invalid_json'],
  ])('refuses a product with %s (400 %s) and stores nothing', async (_name, body, slug) => {
    const response = await putProduct(api, 'refused', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: slug });
    expect(
      await api.deps.db.selectFrom('products').select('id').where('id', '=', 'refused').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('refuses a malformed product id in the path with 400 invalid_request', async () => {
    const response = await putProduct(api, 'Not_Valid', { title: 'x', priceFen: 100 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses the admin product routes without the admin token (401)', async () => {
    const client = createHttpClient(api.url);
    const answers = [
      await client.get(ADMIN_PRODUCTS),
      await client.get(ADMIN_PRODUCTS, { headers: { authorization: 'Bearer wrong-token' } }),
    ];
    const put = await putProduct(api, 'course', { title: '免费', priceFen: 1 }, {});
    expect([...answers.map((a) => a.status), put.status]).toEqual([401, 401, 401]);
    expect(await put.json()).toMatchObject({ error: 'admin_unauthorized' });
    const course = await api.deps.db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', 'course')
      .executeTakeFirst();
    expect(course?.price_fen).toBe(19_900);
  });
});

describe('a notify whose amount differs from the server price', () => {
  it('is refused under v2 and the order stays PENDING', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url });
    try {
      const { outTradeNo } = await createOrderAs(api, aliceOpenId, { productId: 'course' });
      // What a client that chose its own price would hope WeChat reports.
      const answer = await postXml(
        `${api.url}/api/wechat/pay/callback`,
        buildPayNotify({ outTradeNo, totalFee: 1, openid: aliceOpenId }),
      );
      expect(answer.returnCode).toBe('FAIL');
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
      expect((await notificationsFor(api.deps.db, outTradeNo)).map((n) => n.verdict)).toEqual([
        'amount_mismatch',
      ]);
    } finally {
      await api.close();
    }
  });

  it('is refused under v3 and the order stays PENDING', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url, env: demoV3Env() });
    try {
      const { outTradeNo } = await createOrderAs(api, aliceOpenId, { productId: 'vip-month', quantity: 2 });
      expect((await orderRow(api.deps.db, outTradeNo))?.amount_fen).toBe(6_000);
      const answer = await postNotify(
        `${api.url}/api/wechat/pay/callback`,
        buildV3PayNotify({ outTradeNo, totalFen: 3_000, openid: aliceOpenId }),
      );
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.json).toMatchObject({ code: 'FAIL' });
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
      expect((await notificationsFor(api.deps.db, outTradeNo)).map((n) => n.verdict)).toEqual([
        'amount_mismatch',
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('a product catalog passed in deps (the merchant prices in its own system)', () => {
  const own: Product[] = [
    {
      id: 'plan-pro',
      title: '专业版（年付）',
      description: '',
      priceFen: 99_900,
      allowCustomAmount: false,
      active: true,
    },
    {
      id: 'plan-old',
      title: '旧版',
      description: '',
      priceFen: 100,
      allowCustomAmount: false,
      active: false,
    },
  ];
  const catalog: ProductCatalog = {
    listActive: () => Promise.resolve(own.filter((product) => product.active)),
    find: (productId) => Promise.resolve(own.find((product) => product.id === productId)),
  };
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: emulator.url, catalog });
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists and prices from it, not from the products table', async () => {
    const listed = await createHttpClient(api.url).get(PRODUCTS);
    expect(listed.json<{ data: ProductList }>().data.products.map((p) => p.id)).toEqual(['plan-pro']);
    const { outTradeNo } = await createOrderAs(api, aliceOpenId, { productId: 'plan-pro' });
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({
      amount_fen: 99_900,
      product_id: 'plan-pro',
      description: '专业版（年付）',
    });
    // The table's demo products are not for sale here.
    const tip = await clientAs(api, aliceOpenId).post(PAY_WALLET, { productId: 'tip', amountFen: 100 });
    expect(tip.json()).toMatchObject({ error: 'unknown_product' });
    const old = await clientAs(api, aliceOpenId).post(PAY_WALLET, { productId: 'plan-old' });
    expect(old.json()).toMatchObject({ error: 'product_inactive' });
  });

  it('answers the admin product routes with 405 method_not_allowed: the products are managed where they live', async () => {
    const put = await putProduct(api, 'plan-pro', { title: '免费', priceFen: 1 });
    expect(put.status).toBe(405);
    expect(await put.json()).toMatchObject({
      error: 'method_not_allowed',
      message: expect.stringContaining('catalog'),
    });
    const list = await createHttpClient(api.url).get(ADMIN_PRODUCTS, { headers: bearer });
    expect(list.status).toBe(405);
    expect(list.json()).toMatchObject({ error: 'method_not_allowed' });
  });
});

describe('orders created before any product', () => {
  it('show no product fields', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url });
    try {
      const { outTradeNo } = await createOrderAs(api, aliceOpenId, { amountFen: 321 });
      await api.deps.db
        .updateTable('orders')
        .set({ product_id: null, unit_price_fen: null, quantity: null })
        .where('out_trade_no', '=', outTradeNo)
        .execute();
      const view = await clientAs(api, aliceOpenId).get(`/api/wechat/pay/orders/${outTradeNo}`);
      const data = view.json<{ data: OrderView }>().data;
      expect(data.amountFen).toBe(321);
      expect(data).not.toHaveProperty('productId');
      expect(data).not.toHaveProperty('unitPriceFen');
      expect(data).not.toHaveProperty('quantity');
    } finally {
      await api.close();
    }
  });
});
