import {
  ROUTES,
  jssdkConfigSchema,
  orderViewSchema,
  ordersPageSchema,
  payWalletResponseSchema,
  productListSchema,
  userInfoSchema,
} from '@wxh5/contracts';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '@/shared/api-client';
import { ApiError } from '@/shared/api-error';
import { useMockApi } from './use-mock-api';

const api = useMockApi();
const client = createApiClient();

async function failureOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('the mock api', () => {
  it("answers the session and the JS-SDK signature in the contract's shapes", async () => {
    expect(userInfoSchema.parse(await client.get(ROUTES.getUserInfo))).toEqual(api.store.user);
    const config = jssdkConfigSchema.parse(await client.get(ROUTES.jssdk, { url: 'http://localhost:5173/' }));
    expect(config.jsApiList).toContain('chooseWXPay');
  });

  it("lists the demo products without a session, in the contract's shape, and hides an inactive one", async () => {
    api.store.signedIn = false;
    const { products } = productListSchema.parse(await client.get(ROUTES.products));
    expect(products).toEqual([
      expect.objectContaining({ id: 'course', priceFen: 19_900, allowCustomAmount: false }),
      expect.objectContaining({ id: 'vip-month', priceFen: 3_000, allowCustomAmount: false }),
      expect.objectContaining({ id: 'tip', priceFen: 500, allowCustomAmount: true }),
    ]);
    expect(Object.keys(products[0]!).sort()).toEqual([
      'allowCustomAmount',
      'description',
      'id',
      'priceFen',
      'title',
    ]);
    api.store.products.find((p) => p.id === 'vip-month')!.active = false;
    const after = productListSchema.parse(await client.get(ROUTES.products));
    expect(after.products.map((p) => p.id)).toEqual(['course', 'tip']);
  });

  it('prices a product order at the server price times the quantity, the title as its description', async () => {
    const payment = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'course', quantity: 3 }),
    );
    const order = orderViewSchema.parse(await client.get(ROUTES.order(payment.outTradeNo)));
    expect(order).toMatchObject({
      productId: 'course',
      unitPriceFen: 19_900,
      quantity: 3,
      amountFen: 59_700,
      description: 'TypeScript 实战课程',
    });
    const one = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'vip-month' }),
    );
    expect(api.store.findOrder(one.outTradeNo)).toMatchObject({ quantity: 1, amountFen: 3_000 });
  });

  it('takes a custom amount for the tip only', async () => {
    const tip = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'tip', amountFen: 1234 }),
    );
    expect(api.store.findOrder(tip.outTradeNo)).toMatchObject({
      productId: 'tip',
      unitPriceFen: 1234,
      quantity: 1,
      amountFen: 1234,
      description: '打赏',
    });
    const error = await failureOf(client.post(ROUTES.payWallet, { productId: 'course', amountFen: 1 }));
    expect([error.status, error.slug]).toEqual([400, 'custom_amount_not_allowed']);
    expect(api.store.orders).toHaveLength(1);
  });

  it.each([
    ['an unknown product', { productId: 'nope', quantity: 1 }, 'unknown_product'],
    ['a tampered price for the course', { productId: 'course', amountFen: 1 }, 'custom_amount_not_allowed'],
    ['a quantity of 0', { productId: 'course', quantity: 0 }, 'invalid_request'],
    ['a negative quantity', { productId: 'course', quantity: -1 }, 'invalid_request'],
    ['a quantity of 100', { productId: 'course', quantity: 100 }, 'invalid_request'],
    ['a fractional quantity', { productId: 'course', quantity: 1.5 }, 'invalid_request'],
    [
      'an amount and a quantity at once',
      { productId: 'tip', amountFen: 100, quantity: 2 },
      'invalid_request',
    ],
    ['a client description', { productId: 'tip', amountFen: 100, description: 'x' }, 'invalid_request'],
    ['no product', { amountFen: 100 }, 'invalid_request'],
    ['a bad product id', { productId: 'Course!', quantity: 1 }, 'invalid_request'],
  ])('refuses %s with 400 %s and creates no order', async (_name, body, slug) => {
    const error = await failureOf(client.post(ROUTES.payWallet, body));
    expect([error.status, error.slug]).toEqual([400, slug]);
    expect(api.store.orders).toEqual([]);
  });

  it('refuses an inactive product (400 product_inactive)', async () => {
    api.store.products.find((p) => p.id === 'course')!.active = false;
    const error = await failureOf(client.post(ROUTES.payWallet, { productId: 'course', quantity: 1 }));
    expect([error.status, error.slug]).toEqual([400, 'product_inactive']);
    expect(api.store.orders).toEqual([]);
  });

  it('creates a PENDING order for payWallet and shows it PAID once the fake cashier paid it', async () => {
    const payment = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'tip', amountFen: 1234 }),
    );
    expect(payment.payParams.package).toMatch(/^prepay_id=/);
    const pending = orderViewSchema.parse(await client.get(ROUTES.order(payment.outTradeNo)));
    expect(pending).toMatchObject({ amountFen: 1234, description: '打赏', status: 'PENDING' });

    const prepayId = payment.payParams.package.replace('prepay_id=', '');
    expect(api.store.payableOrderOf(prepayId)?.outTradeNo).toBe(payment.outTradeNo);
    api.store.markPaid(payment.outTradeNo);
    const paid = orderViewSchema.parse(await client.get(ROUTES.order(payment.outTradeNo)));
    expect(paid.status).toBe('PAID');
    expect(paid.transactionId).toMatch(/^\d+$/);
    expect(api.store.payableOrderOf(prepayId)).toBeUndefined();
  });

  it.each([
    ['zero', { productId: 'tip', amountFen: 0 }],
    ['a fraction of a fen', { productId: 'tip', amountFen: 1.5 }],
    ['a string', { productId: 'tip', amountFen: '12' }],
  ])(
    'refuses an amount of %s as the api does (400 invalid_amount) and creates no order',
    async (_name, body) => {
      const error = await failureOf(client.post(ROUTES.payWallet, body));
      expect(error.status).toBe(400);
      expect(error.slug).toBe('invalid_amount');
      expect(api.store.orders).toEqual([]);
    },
  );

  it('lists orders newest first with a cursor', async () => {
    for (const amountFen of [1, 2, 3]) await client.post(ROUTES.payWallet, { productId: 'tip', amountFen });
    const first = ordersPageSchema.parse(await client.get(ROUTES.orders, { limit: '2' }));
    expect(first.orders.map((order) => order.amountFen)).toEqual([3, 2]);
    expect(first.nextCursor).not.toBeNull();
    const second = ordersPageSchema.parse(
      await client.get(ROUTES.orders, { limit: '2', cursor: first.nextCursor ?? undefined }),
    );
    expect(second.orders.map((order) => order.amountFen)).toEqual([1]);
    expect(second.nextCursor).toBeNull();
  });

  it('answers 404 order_not_found for an unknown order and 401 without a session', async () => {
    expect((await failureOf(client.get(ROUTES.order('NOPE1')))).slug).toBe('order_not_found');
    api.store.signedIn = false;
    const error = await failureOf(client.get(ROUTES.getUserInfo));
    expect(error.isUnauthenticated).toBe(true);
  });

  it('pays a PENDING order again with the same prepay id, and refuses once it is closed', async () => {
    const first = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'tip', amountFen: 7 }),
    );
    const again = payWalletResponseSchema.parse(await client.post(ROUTES.prepayOrder(first.outTradeNo)));
    expect(again.outTradeNo).toBe(first.outTradeNo);
    expect(again.payParams.package).toBe(first.payParams.package);
    await client.post(ROUTES.closeOrder(first.outTradeNo));
    expect((await failureOf(client.post(ROUTES.prepayOrder(first.outTradeNo)))).slug).toBe('order_closed');
  });

  it('closes a PENDING order and refuses to close a paid one', async () => {
    const a = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'tip', amountFen: 5 }),
    );
    expect(orderViewSchema.parse(await client.post(ROUTES.closeOrder(a.outTradeNo))).status).toBe('CLOSED');
    const b = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'tip', amountFen: 6 }),
    );
    api.store.markPaid(b.outTradeNo);
    expect((await failureOf(client.post(ROUTES.closeOrder(b.outTradeNo)))).slug).toBe('order_already_paid');
  });
});
