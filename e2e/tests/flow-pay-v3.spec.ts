import { expect, test } from './support/flow-fixtures';
import { openProduct, outTradeNoOf, signIn } from './support/flow-helpers';

test.describe('paying from the H5 page on WeChat Pay API v3', () => {
  test('consent, pay with RSA pay params through the cashier, and the order ends PAID', async ({
    page,
    stackV3: stack,
  }) => {
    await signIn(page, stack, '/', 'alice');
    await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');

    await openProduct(page, 'tip');
    await page.getByTestId('amount-input').fill('12.34');
    const prepaid = page.waitForResponse((response) => response.url().endsWith('/api/wechat/pay/payWallet'));
    await page.getByTestId('pay-button').click();
    const answer = (await (await prepaid).json()) as {
      data: { payParams: { signType: string; paySign: string } };
    };
    // Nothing changes for the user; chooseWXPay gets v3's parameters: signType RSA and an RSA paySign.
    expect(answer.data.payParams.signType).toBe('RSA');
    expect(answer.data.payParams.paySign).toMatch(/^[A-Za-z0-9+/]{300,}={0,2}$/);

    // The emulator's cashier checks the RSA paySign with the merchant's public key before it opens.
    await expect(page.getByTestId('wx-cashier')).toBeVisible();
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥12.34');
    await page.getByTestId('wx-cashier-pay').click();

    // The v3 notify (signed with the WeChat Pay public key, resource encrypted) makes the order PAID.
    await page.waitForURL(/\/orders\/[0-9A-Za-z]+$/);
    await expect(page.getByTestId('order-status-text')).toHaveAttribute('data-status', 'PAID');
    await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible();

    const outTradeNo = outTradeNoOf(page);
    const row = stack.orderRow(outTradeNo);
    expect(row).toMatchObject({ out_trade_no: outTradeNo, status: 'PAID', amount_fen: 1234 });
    expect(row?.transaction_id).toBeTruthy();
    const notifies = await stack.control<{ outTradeNo: string; api: string; ok: boolean }[]>(
      'GET',
      '/notifies',
    );
    expect(notifies.find((entry) => entry.outTradeNo === outTradeNo && entry.ok)).toMatchObject({
      api: 'v3',
    });
  });
});
