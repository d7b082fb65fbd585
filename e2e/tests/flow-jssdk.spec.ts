import { expect, test } from './support/flow-fixtures';
import { payTip, recordedShares, signIn, watchRequests } from './support/flow-helpers';

// An iPhone user agent: the H5 follows iOS WeChat's rule and signs the URL the single-page app landed on. The
// emulator's bridge checks the CURRENT URL (Android's rule), so after an in-app navigation the first signature is
// rejected with `config:invalid signature` and the H5 must recover by signing the current URL. No test hook: the
// mismatch is the real-world one between the two platforms' rules.
test.use({
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
});

test('wx.config recovers from invalid signature by retrying once with the other URL', async ({
  page,
  stack,
}) => {
  const jssdkRequests = watchRequests(page, stack, '/api/wechat/jssdk');
  // Land on /orders (after WeChat login the page is loaded fresh there), then move to / inside the SPA.
  await signIn(page, stack, '/orders', 'alice');
  await expect(page.getByTestId('orders-page')).toBeVisible();
  expect(jssdkRequests).toHaveLength(0);
  await page.getByTestId('link-home').click();
  await page.waitForURL(`${stack.apiUrl}/`);

  const status = page.getByTestId('wx-status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(status).toHaveAttribute('data-attempts', '2');
  expect(jssdkRequests.map((r) => new URL(r.url()).searchParams.get('url'))).toEqual([
    `${stack.apiUrl}/orders`,
    `${stack.apiUrl}/`,
  ]);
  expect((await recordedShares(page)).map((s) => s.kind).sort()).toEqual(['appMessage', 'timeline']);

  // The recovered configuration is good for paying too.
  await payTip(page, '0.5');
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥0.50');
});

test('on iOS the landing URL stays the signed one when it is also the current URL', async ({
  page,
  stack,
}) => {
  const jssdkRequests = watchRequests(page, stack, '/api/wechat/jssdk');
  await signIn(page, stack, '/', 'bob');
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-attempts', '1');
  expect(jssdkRequests).toHaveLength(1);
});
