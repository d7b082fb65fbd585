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

  it('creates a PENDING order for payWallet and shows it PAID once the fake cashier paid it', async () => {
    const payment = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'tip', amountFen: 1234 }),
    );
    expect(payment.payParams.package).toMatch(/^prepay_id=/);
    const pending = orderViewSchema.parse(await client.get(ROUTES.order(payment.outTradeNo)));
    expect(pending).toMatchObject({ amountFen: 1234, productId: 'tip', quantity: 1, status: 'PENDING' });

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

  it('lists the products and prices an order as the api does', async () => {
    const { products } = productListSchema.parse(await client.get(ROUTES.products));
    expect(products.map((product) => product.id)).toEqual(['course', 'vip-month', 'tip']);
    const course = payWalletResponseSchema.parse(
      await client.post(ROUTES.payWallet, { productId: 'vip-month', quantity: 2 }),
    );
    expect(orderViewSchema.parse(await client.get(ROUTES.order(course.outTradeNo)))).toMatchObject({
      amountFen: 6_000,
      unitPriceFen: 3_000,
      quantity: 2,
    });
    const tampered = await failureOf(client.post(ROUTES.payWallet, { productId: 'course', amountFen: 1 }));
    expect(tampered.slug).toBe('custom_amount_not_allowed');
    expect((await failureOf(client.post(ROUTES.payWallet, { productId: 'nope' }))).slug).toBe(
      'unknown_product',
    );
  });

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
