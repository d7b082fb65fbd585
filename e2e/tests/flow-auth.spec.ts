import { expect, test } from './support/flow-fixtures';
import { SCREENSHOT_DIR, answerConsent, payTip, signIn } from './support/flow-helpers';

test.describe('signing in', () => {
  test('declining consent shows a clear screen without looping, and its button signs in', async ({
    page,
    stack,
  }) => {
    const redirects: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${stack.apiUrl}/api/wechat/redirect`)) redirects.push(request.url());
    });
    await page.goto(`${stack.apiUrl}/`);
    await answerConsent(page, stack, { userId: 'alice', action: 'deny' });

    await expect(page.getByTestId('auth-declined')).toBeVisible();
    await expect(page.getByTestId('auth-declined')).toContainText('你已拒绝授权登录');
    expect(new URL(page.url()).searchParams.get('wx_auth')).toBe('denied');
    await page.screenshot({ path: `${SCREENSHOT_DIR}declined.png` });
    // The declined page checked no session and started no new login by itself.
    expect(redirects).toHaveLength(1);

    await page.getByTestId('auth-retry').click();
    await answerConsent(page, stack, { userId: 'alice' });
    await expect(page.getByTestId('user-nickname')).toHaveText('Alice 王');
    // The retried login came back to the page without the "declined" marker.
    expect(new URL(page.url()).search).toBe('');
    expect(redirects).toHaveLength(2);
  });

  test('a tampered session cookie mid-visit sends the user through login and back', async ({
    page,
    stack,
    context,
  }) => {
    await signIn(page, stack, '/', 'bob');
    await expect(page.getByTestId('user-nickname')).toHaveText('Bob 李');

    const cookies = await context.cookies(stack.apiUrl);
    const session = cookies.find((c) => c.name === 'openId');
    expect(session).toBeDefined();
    await context.addCookies([{ ...session!, value: `${session!.value.slice(0, -1)}x` }]);

    // The next api call that needs the session answers 401 (the product list needs none): the page goes to WeChat
    // login and comes back, signed in again, to the product page it was on.
    await payTip(page, '1');
    await answerConsent(page, stack, { userId: 'bob' });
    await page.waitForURL(`${stack.apiUrl}/products/tip`);
    await expect(page.getByTestId('product-page')).toBeVisible();
    await page.getByTestId('link-home').click();
    await expect(page.getByTestId('user-nickname')).toHaveText('Bob 李');
  });

  test('a cleared session cookie on the orders page logs in again and returns to the orders page', async ({
    page,
    stack,
    context,
  }) => {
    await signIn(page, stack, '/orders', 'carol');
    await expect(page.getByTestId('orders-page')).toBeVisible();

    await context.clearCookies({ name: 'openId' });
    await page.reload();
    await answerConsent(page, stack, { userId: 'carol' });
    await page.waitForURL(`${stack.apiUrl}/orders`);
    await expect(page.getByTestId('orders-page')).toBeVisible();
  });
});
