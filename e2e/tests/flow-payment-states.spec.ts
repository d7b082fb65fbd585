import { expect, test } from './support/flow-fixtures';
import {
  SCREENSHOT_DIR,
  createTestUser,
  openIdOf,
  outTradeNoOf,
  payTip,
  signIn,
} from './support/flow-helpers';
import type { Stack } from './support/stack';

/** How many `drop` faults for notifies the emulator still holds. */
async function remainingNotifyDrops(stack: Stack): Promise<number> {
  const { faults } = await stack.control<{ faults: Array<{ endpoint: string; remaining: number }> }>(
    'GET',
    '/faults',
  );
  return faults.filter((f) => f.endpoint === 'notify').reduce((sum, f) => sum + f.remaining, 0);
}

test.describe('honest payment states', () => {
  test('a cashier ok that arrives before the notify shows 支付处理中, then 支付成功 once the server knows', async ({
    page,
    stack,
  }) => {
    await signIn(page, stack, '/', 'alice');
    await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');

    // Every notify delivery of the next payment is dropped: the cashier says ok, but the server has heard nothing.
    // The api learns the payment only from its own orderquery, which it makes once an order is 10 s old.
    await stack.control('POST', '/faults', { endpoint: 'notify', kind: 'drop', count: 16 });
    let outTradeNo = '';
    try {
      await payTip(page, '3.21');
      await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥3.21');
      await page.getByTestId('wx-cashier-pay').click();

      await page.waitForURL(/\/orders\/[0-9A-Za-z]+$/);
      outTradeNo = outTradeNoOf(page);
      await expect(page.getByRole('heading', { name: '支付处理中' })).toBeVisible();
      const statusText = page.getByTestId('order-status-text');
      await expect(statusText).toHaveAttribute('data-polling', 'true');
      // Not a guess the page made: the server really does not know yet.
      expect(stack.orderRow(outTradeNo)).toMatchObject({ status: 'PENDING' });
      await page.screenshot({ path: `${SCREENSHOT_DIR}h5-processing-zh.png` });

      await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible({ timeout: 40_000 });
      await expect(statusText).toHaveAttribute('data-status', 'PAID');
      expect(stack.orderRow(outTradeNo)).toMatchObject({ status: 'PAID', amount_fen: 321 });
    } finally {
      // Spend the drops the retries have not used, so later tests in this worker get their notifies.
      for (let i = 0; i < 16 && outTradeNo && (await remainingNotifyDrops(stack)) > 0; i += 1) {
        await stack.control('POST', `/notifies/${outTradeNo}/resend`, {}).catch(() => undefined);
      }
    }
  });

  test('cancel → 再次支付 pays the same order, which ends PAID', async ({ page, stack }) => {
    const userId = await createTestUser(stack, 'Fay 周');
    await signIn(page, stack, '/', userId);
    await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');

    await payTip(page, '7.89');
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥7.89');
    await page.getByTestId('wx-cashier-cancel').click();

    await page.waitForURL(/\/orders\/[0-9A-Za-z]+$/);
    const outTradeNo = outTradeNoOf(page);
    await expect(page.getByRole('heading', { name: '未支付' })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}h5-unpaid-zh.png` });

    await page.getByTestId('order-pay-again').click();
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥7.89');
    await page.getByTestId('wx-cashier-pay').click();
    await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible();
    expect(new URL(page.url()).pathname).toBe(`/orders/${outTradeNo}`);

    // One order, paid once: the same out_trade_no went to WeChat again, not a new order.
    const rows = stack.orderRowsOf(await openIdOf(stack, userId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ out_trade_no: outTradeNo, status: 'PAID', amount_fen: 789 });
  });

  test('再次支付 from the list opens the cashier for that order', async ({ page, stack }) => {
    const userId = await createTestUser(stack, 'Gus 吴');
    await signIn(page, stack, '/', userId);
    await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
    await payTip(page, '2');
    await page.getByTestId('wx-cashier-cancel').click();
    await expect(page.getByRole('heading', { name: '未支付' })).toBeVisible();
    const outTradeNo = outTradeNoOf(page);

    await page.getByTestId('order-link-orders').click();
    const row = page.getByTestId('order-row').first();
    await expect(row).toHaveAttribute('data-out-trade-no', outTradeNo);
    await expect(row).toContainText('未支付');
    await page.getByTestId('order-row-pay-again').first().click();
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥2.00');
    await page.getByTestId('wx-cashier-pay').click();
    await page.waitForURL(`${stack.apiUrl}/orders/${outTradeNo}`);
    await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible();
  });

  test('an order past its time to pay cannot be paid again: it is closed and says 已关闭', async ({
    page,
    stack,
  }) => {
    const userId = await createTestUser(stack, 'Hal 郑');
    await signIn(page, stack, '/', userId);
    await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
    await payTip(page, '4.56');
    await page.getByTestId('wx-cashier-cancel').click();
    await expect(page.getByRole('heading', { name: '未支付' })).toBeVisible();
    const outTradeNo = outTradeNoOf(page);

    // 31 minutes later (the stack's orders expire after 30): the user comes back and presses 再次支付.
    stack.ageOrder(outTradeNo, 31);
    await page.getByTestId('order-pay-again').click();
    await expect(page.getByTestId('pay-again-error')).toContainText('该订单已关闭，不能再支付。');
    await expect(page.getByRole('heading', { name: '已关闭' })).toBeVisible();
    await expect(page.getByTestId('order-pay-again')).toHaveCount(0);
    await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
    expect(stack.orderRow(outTradeNo)).toMatchObject({ status: 'CLOSED', transaction_id: null });

    // The api refuses it the same way to anyone who asks directly.
    const again = await page.request.post(`${stack.apiUrl}/api/wechat/pay/orders/${outTradeNo}/prepay`);
    expect(again.status()).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe('order_closed');
  });
});
