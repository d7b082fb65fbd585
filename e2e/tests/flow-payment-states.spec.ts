import { expect, test } from './support/flow-fixtures';
import { SCREENSHOT_DIR, outTradeNoOf, signIn } from './support/flow-helpers';
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
      await page.getByTestId('amount-input').fill('3.21');
      await page.getByTestId('pay-button').click();
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
});
