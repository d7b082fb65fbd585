import { expect, test } from './support/flow-fixtures';
import {
  SCREENSHOT_DIR,
  openProduct,
  outTradeNoOf,
  payTip,
  recordedShares,
  signIn,
  watchRequests,
} from './support/flow-helpers';

test.describe('paying from the H5 page', () => {
  test('a first visit signs in with consent, shares, tips 12.34 yuan and the order ends PAID in the database', async ({
    page,
    stack,
  }) => {
    const jssdkRequests = watchRequests(page, stack, '/api/wechat/jssdk');
    await signIn(page, stack, '/', 'alice');

    // The user is shown, with avatar and nickname.
    await expect(page.getByTestId('user-nickname')).toHaveText('Alice 王');
    await expect(page.getByTestId('user-avatar')).toBeVisible();

    // wx.config passed at the first try (Chromium's user agent is not iOS: the current URL is signed) and the
    // share card is set for both "send to friend" and Moments.
    const status = page.getByTestId('wx-status');
    await expect(status).toHaveAttribute('data-state', 'ready');
    await expect(status).toHaveAttribute('data-attempts', '1');
    expect(jssdkRequests.map((r) => new URL(r.url()).searchParams.get('url'))).toEqual([`${stack.apiUrl}/`]);
    const shares = await recordedShares(page);
    expect(shares.map((s) => s.kind).sort()).toEqual(['appMessage', 'timeline']);
    for (const share of shares) {
      expect(share.title).toBe('wxh5 · 微信支付演示');
      expect(share.link).toBe(`${stack.apiUrl}/`);
      expect(share.imgUrl).toBe(`${stack.apiUrl}/share-icon.png`);
    }
    await page.screenshot({ path: `${SCREENSHOT_DIR}home.png` });

    // The products, with the server's prices; the tip takes the amount the user types.
    await expect(page.getByTestId('product-row')).toHaveCount(3);
    await openProduct(page, 'tip');
    await page.getByTestId('amount-input').fill('12.34');
    await expect(page.getByTestId('buy-total')).toHaveText('¥12.34');
    await expect(page.getByTestId('pay-button')).toHaveText('立即支付');
    await page.getByTestId('pay-button').click();

    // WeChat's cashier (the emulator's sheet) shows the amount that was signed.
    await expect(page.getByTestId('wx-cashier')).toBeVisible();
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥12.34');
    await page.screenshot({ path: `${SCREENSHOT_DIR}cashier.png` });
    await page.getByTestId('wx-cashier-pay').click();

    // The order page asks the server until WeChat's notify has made the order PAID: 支付成功.
    await page.waitForURL(/\/orders\/[0-9A-Za-z]+$/);
    const statusText = page.getByTestId('order-status-text');
    await expect(statusText).toHaveAttribute('data-status', 'PAID');
    await expect(page.getByRole('heading', { name: '支付成功' })).toBeVisible();
    await expect(page.getByTestId('order-amount')).toHaveText('¥12.34');
    await page.screenshot({ path: `${SCREENSHOT_DIR}paid.png` });

    const outTradeNo = outTradeNoOf(page);
    await expect(page.getByTestId('order-out-trade-no')).toHaveText(outTradeNo);
    const row = stack.orderRow(outTradeNo);
    expect(row).toMatchObject({ out_trade_no: outTradeNo, status: 'PAID', amount_fen: 1234 });
    expect(row?.transaction_id).toBeTruthy();

    // The order is in the user's list.
    await page.getByRole('link', { name: '我的订单' }).click();
    await expect(page.getByTestId('order-row').first()).toHaveAttribute('data-out-trade-no', outTradeNo);
    // The emulator's share badge (fixed, bottom right) would cover the list; real WeChat has no such badge.
    await page.screenshot({
      path: `${SCREENSHOT_DIR}orders.png`,
      style: '[data-testid="wx-share-badge"] { display: none !important; }',
    });
  });

  test('a cancelled payment keeps the order PENDING, the page says 未支付 and offers 再次支付', async ({
    page,
    stack,
  }) => {
    await signIn(page, stack, '/', 'bob');
    await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');

    await payTip(page, '5');
    await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥5.00');
    await page.getByTestId('wx-cashier-cancel').click();

    // A cancel is not taken as the answer either: the order page asks the server, then says 未支付.
    await page.waitForURL(/\/orders\/[0-9A-Za-z]+$/);
    const outTradeNo = outTradeNoOf(page);
    const statusText = page.getByTestId('order-status-text');
    await expect(page.getByRole('heading', { name: '未支付' })).toBeVisible();
    await expect(statusText).toHaveAttribute('data-status', 'PENDING');
    await expect(statusText).toHaveAttribute('data-polling', 'false');
    await expect(statusText).toContainText('支付已取消');
    await expect(statusText).toContainText('订单已保留');
    await expect(page.getByTestId('order-pay-again')).toHaveText('再次支付');
    expect(stack.orderRow(outTradeNo)).toMatchObject({ status: 'PENDING', amount_fen: 500 });
  });
});
