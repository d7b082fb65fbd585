import { expect, test } from './support/flow-fixtures';
import { openProduct, signIn, watchRequests } from './support/flow-helpers';

test('tip amounts 0, -1, 1.234 and abc are refused in the page and create no order', async ({
  page,
  stack,
}) => {
  const payRequests = watchRequests(page, stack, '/api/wechat/pay/payWallet');
  await signIn(page, stack, '/', 'carol');
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
  await openProduct(page, 'tip');
  // The field starts at the tip's suggested price.
  await expect(page.getByTestId('amount-input')).toHaveValue('5.00');

  const cases: Array<[string, string]> = [
    ['0', '金额须大于 ¥0'],
    ['-1', '金额须大于 ¥0'],
    ['1.234', '最多两位小数'],
    ['abc', '请输入以元为单位的数字'],
    ['', '请输入金额'],
    ['1000000.01', '金额不能超过 ¥1,000,000.00'],
    ['１．２３４', '最多两位小数'],
  ];
  for (const [amount, words] of cases) {
    await page.getByTestId('amount-input').fill(amount);
    await page.getByTestId('pay-button').click();
    await expect(page.getByTestId('amount-error'), `amount ${JSON.stringify(amount)}`).toContainText(words);
    await expect(page.getByTestId('amount-input')).toHaveAttribute('aria-invalid', 'true');
  }
  await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
  expect(payRequests).toHaveLength(0);

  // Typing again clears the error; a valid amount goes through to the cashier, full-width digits and dot too.
  await page.getByTestId('amount-input').fill('０．０１');
  await expect(page.getByTestId('amount-error')).toHaveCount(0);
  await expect(page.getByTestId('buy-total')).toHaveText('¥0.01');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥0.01');
  expect(payRequests).toHaveLength(1);
});
