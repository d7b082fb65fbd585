import type { Page } from '@playwright/test';
import { blockWechatHosts } from './support/fixtures';
import { expect, test } from './support/flow-fixtures';
import { createTestUser, signIn } from './support/flow-helpers';
import type { Stack } from './support/stack';

/**
 * Create an order through the api with the page's session cookie (what 立即支付 does before the cashier): a tip of
 * `amountFen`, the demo product that takes a custom amount.
 */
async function createOrder(page: Page, stack: Stack, amountFen: number): Promise<string> {
  const response = await page.request.post(`${stack.apiUrl}/api/wechat/pay/payWallet`, {
    data: { productId: 'tip', amountFen },
  });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { data: { outTradeNo: string } };
  return body.data.outTradeNo;
}

test.describe('the order pages', () => {
  test("the list shows a new user's orders newest first and pages with 加载更多", async ({ page, stack }) => {
    const userId = await createTestUser(stack, 'Dave 赵');
    await signIn(page, stack, '/', userId);
    await expect(page.getByTestId('user-nickname')).toHaveText('Dave 赵');

    const created: string[] = [];
    for (let i = 1; i <= 12; i += 1) created.push(await createOrder(page, stack, 100 + i));

    await page.getByTestId('link-orders').click();
    const rows = page.getByTestId('order-row');
    await expect(rows).toHaveCount(10);
    await expect(rows.first()).toHaveAttribute('data-out-trade-no', created[11]!);
    await expect(rows.first()).toContainText('¥1.12');
    await expect(rows.first()).toContainText('未支付');

    await page.getByTestId('orders-more').click();
    await expect(rows).toHaveCount(12);
    await expect(rows.last()).toHaveAttribute('data-out-trade-no', created[0]!);
    await expect(page.getByTestId('orders-more')).toHaveCount(0);
    await expect(page.getByText('没有更多订单了')).toBeVisible();
  });

  test('a closed order and a refunded order each say so on their page', async ({ page, stack }) => {
    const userId = await createTestUser(stack, 'Erin 孙');
    await signIn(page, stack, '/', userId);
    await expect(page.getByTestId('user-nickname')).toHaveText('Erin 孙');

    const closed = await createOrder(page, stack, 300);
    const close = await page.request.post(`${stack.apiUrl}/api/wechat/pay/orders/${closed}/close`);
    expect(close.status()).toBe(200);
    await page.goto(`${stack.apiUrl}/orders/${closed}`);
    await expect(page.getByTestId('order-status-text')).toHaveAttribute('data-status', 'CLOSED');
    await expect(page.getByRole('heading', { name: '已关闭' })).toBeVisible();
    expect(stack.orderRow(closed)).toMatchObject({ status: 'CLOSED' });

    // Paid in WeChat without the browser (the emulator's control API), then refunded in full by the merchant.
    const refunded = await createOrder(page, stack, 450);
    await stack.control('POST', `/orders/${refunded}/pay`, {});
    await expect.poll(() => stack.orderRow(refunded)?.status).toBe('PAID');
    const refund = await page.request.post(`${stack.apiUrl}/api/admin/orders/${refunded}/refund`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
      data: { amountFen: 450 },
    });
    expect(refund.ok()).toBe(true);
    // The order turns REFUNDED when WeChat's refund notify lands (asynchronously), and the page does not poll a
    // PAID order: wait for the database, not for luck.
    await expect.poll(() => stack.orderRow(refunded)?.status).toBe('REFUNDED');
    await page.goto(`${stack.apiUrl}/orders/${refunded}`);
    await expect(page.getByTestId('order-status-text')).toHaveAttribute('data-status', 'REFUNDED');
    await expect(page.getByRole('heading', { name: '已退款' })).toBeVisible();
  });

  test('another user\'s order is "not found", without details', async ({ page, stack, browser }) => {
    await signIn(page, stack, '/', 'alice');
    const aliceOrder = await createOrder(page, stack, 700);

    const other = await browser.newContext();
    try {
      await blockWechatHosts(other);
      const bobPage = await other.newPage();
      await signIn(bobPage, stack, `/orders/${aliceOrder}`, 'bob');
      await expect(bobPage.getByTestId('order-error')).toContainText('订单不存在');
      await expect(bobPage.getByTestId('order-amount')).toHaveCount(0);
    } finally {
      await other.close();
    }
  });
});
