import type { Page } from '@playwright/test';
import { expect, test } from './support/flow-fixtures';
import {
  SCREENSHOT_DIR,
  createTestUser,
  openIdOf,
  openProduct,
  outTradeNoOf,
  signIn,
  watchRequests,
} from './support/flow-helpers';
import type { Stack } from './support/stack';

/** The emulator's share badge is not part of the page (real WeChat has no such badge). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: `${SCREENSHOT_DIR}${name}.png`,
    style: '[data-testid="wx-share-badge"] { display: none !important; }',
  });
}

/** A new emulator user, signed in on the home page with the JS-SDK ready: a test that starts with no orders. */
async function freshUser(page: Page, stack: Stack, nickname: string): Promise<string> {
  const userId = await createTestUser(stack, nickname);
  await signIn(page, stack, '/', userId);
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
  return userId;
}

test.describe('products with server-side prices', () => {
  test('the course is bought at the server price: the cashier and the PAID order say ¥199.00', async ({
    page,
    stack,
  }) => {
    const payRequests = watchRequests(page, stack, '/api/wechat/pay/payWallet');
    await freshUser(page, stack, 'Kai 陈');

    // The home page lists the demo catalog with the api's prices.
    const course = page.locator('[data-testid="product-row"][data-product-id="course"]');
    await expect(page.getByTestId('product-row')).toHaveCount(3);
    await expect(course).toContainText('TypeScript 实战课程');
    await expect(course).toContainText('¥199.00');
    await expect(page.locator('[data-testid="product-row"][data-product-id="vip-month"]')).toContainText(
      '¥30.00',
    );
    await shoot(page, 'products-home');

    await openProduct(page, 'course');
    expect(new URL(page.url()).pathname).toBe('/products/course');
    await expect(page.getByTestId('product-title')).toHaveText('TypeScript 实战课程');
    await expect(page.getByTestId('product-price')).toHaveText('¥199.00');
    await expect(page.getByTestId('buy-total')).toHaveText('¥199.00');
    await expect(page.getByTestId('amount-input')).toHaveCount(0);
    await shoot(page, 'product-course');

    await page.getByRole('button', { name: '立即支付' }).click();
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥199.00');
    await shoot(page, 'cashier-course');
    // The page asked for the product and a quantity; the price is the server's.
    expect(payRequests).toHaveLength(1);
    expect(payRequests[0]!.postDataJSON()).toEqual({ productId: 'course', quantity: 1 });
    await page.getByTestId('wx-cashier-pay').click();

    await page.waitForURL(/\/orders\/[0-9A-Za-z]+$/);
    await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible();
    await expect(page.getByTestId('order-amount')).toHaveText('¥199.00');
    await expect(page.getByTestId('order-unit-price')).toHaveText('¥199.00');
    await expect(page.getByTestId('order-quantity')).toHaveText('1');
    await shoot(page, 'paid-course');
    const outTradeNo = outTradeNoOf(page);
    expect(stack.orderRow(outTradeNo)).toMatchObject({ status: 'PAID', amount_fen: 19_900 });
  });

  test('a quantity multiplies the server price: three months of membership are ¥90.00 at the cashier', async ({
    page,
    stack,
  }) => {
    await freshUser(page, stack, 'Lin 林');
    await openProduct(page, 'vip-month');
    await page.getByTestId('quantity-select').selectOption('3');
    await expect(page.getByTestId('buy-total')).toHaveText('¥90.00');
    await page.getByTestId('pay-button').click();
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥90.00');
    await page.getByTestId('wx-cashier-cancel').click();

    await expect(page.getByRole('heading', { name: '未支付' })).toBeVisible();
    await expect(page.getByTestId('order-unit-price')).toHaveText('¥30.00');
    await expect(page.getByTestId('order-quantity')).toHaveText('3');
    expect(stack.orderRow(outTradeNoOf(page))).toMatchObject({ status: 'PENDING', amount_fen: 9_000 });

    await page.getByTestId('order-link-orders').click();
    await expect(page.getByTestId('order-row').first()).toContainText('¥30.00 × 3');
    await shoot(page, 'orders-units');
  });

  test('a tip is paid with the amount the user typed', async ({ page, stack }) => {
    const payRequests = watchRequests(page, stack, '/api/wechat/pay/payWallet');
    await freshUser(page, stack, 'Mo 莫');
    await openProduct(page, 'tip');
    await expect(page.getByTestId('product-price')).toHaveText('建议 ¥5.00');
    await expect(page.getByTestId('amount-input')).toHaveValue('5.00');
    await page.getByTestId('amount-input').fill('8.88');
    await expect(page.getByTestId('buy-total')).toHaveText('¥8.88');
    await shoot(page, 'product-tip');
    await page.getByTestId('pay-button').click();

    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥8.88');
    expect(payRequests[0]!.postDataJSON()).toEqual({ productId: 'tip', amountFen: 888 });
    await page.getByTestId('wx-cashier-pay').click();
    await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible();
    await expect(page.getByTestId('order-amount')).toHaveText('¥8.88');
    expect(stack.orderRow(outTradeNoOf(page))).toMatchObject({ status: 'PAID', amount_fen: 888 });
  });

  test('a tampered price is refused with 400 and never reaches WeChat; bad products and quantities too', async ({
    page,
    stack,
  }) => {
    const userId = await freshUser(page, stack, 'Ned 倪');
    const payWallet = (data: Record<string, unknown>) =>
      page.request.post(`${stack.apiUrl}/api/wechat/pay/payWallet`, { data });
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ productId: 'course', amountFen: 1 }, 'custom_amount_not_allowed'],
      [{ productId: 'no-such-product', quantity: 1 }, 'unknown_product'],
    ];
    for (const [body, slug] of refusals) {
      const answer = await payWallet(body);
      expect(answer.status(), JSON.stringify(body)).toBe(400);
      expect(((await answer.json()) as { error: string }).error, JSON.stringify(body)).toBe(slug);
    }
    for (const body of [
      { productId: 'course', quantity: -1 },
      { productId: 'course', quantity: 0 },
      { productId: 'course', quantity: 100 },
      { productId: 'course', quantity: 1, amountFen: 1 },
    ]) {
      expect((await payWallet(body)).status(), JSON.stringify(body)).toBe(400);
    }
    // No order was written, so none went to WeChat.
    expect(stack.orderRowsOf(await openIdOf(stack, userId))).toEqual([]);

    // A product page for an id the catalog does not have says so, with the way back.
    await page.goto(`${stack.apiUrl}/products/no-such-product`);
    await expect(page.getByTestId('product-unavailable')).toContainText('商品不存在或已下架');
    await shoot(page, 'product-unavailable');
    await page.getByRole('link', { name: '返回首页' }).click();
    await expect(page.getByTestId('product-row')).toHaveCount(3);
  });
});
