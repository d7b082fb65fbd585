import { expect, test } from './support/flow-fixtures';
import { SCREENSHOT_DIR, openIdOf, payTip, signIn, watchRequests } from './support/flow-helpers';

test('when WeChat Pay is down the page says so in words and the order is kept for reconciliation', async ({
  page,
  stack,
}) => {
  await signIn(page, stack, '/', 'carol');
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
  const payRequests = watchRequests(page, stack, '/api/wechat/pay/payWallet');

  // The next unifiedorder calls answer SYSTEMERROR: the api retries a bounded number of times, then gives up.
  await stack.control('POST', '/faults', { endpoint: '/pay/unifiedorder', kind: 'systemerror', count: 6 });
  try {
    await payTip(page, '6.66');

    const message = page.getByTestId('pay-message');
    await expect(message).toHaveAttribute('data-kind', 'failed');
    await expect(message).toContainText('无法发起微信支付。');
    const text = (await message.textContent()) ?? '';
    expect(text).not.toMatch(/[{}]|"code"|<xml/);
    await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}pay-error.png` });

    const response = await payRequests[0]!.response();
    expect(response?.status()).toBeGreaterThanOrEqual(502);

    // The order row was written before unifiedorder was called, and stays PENDING for reconciliation.
    const rows = stack.orderRowsOf(await openIdOf(stack, 'carol')).filter((row) => row.amount_fen === 666);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'PENDING', transaction_id: null });
  } finally {
    // Use up what the api did not, so later tests in this worker meet a healthy WeChat Pay.
    for (let i = 0; i < 6 && (await remainingFaults()) > 0; i += 1) {
      await page.request.post(`${stack.apiUrl}/api/wechat/pay/payWallet`, {
        data: { productId: 'tip', amountFen: 1 },
      });
    }
  }

  async function remainingFaults(): Promise<number> {
    const { faults } = await stack.control<{ faults: Array<{ endpoint: string; remaining: number }> }>(
      'GET',
      '/faults',
    );
    return faults.filter((f) => f.endpoint === '/pay/unifiedorder').reduce((sum, f) => sum + f.remaining, 0);
  }
});
