import { expect, test } from './support/flow-fixtures';
import { signIn, watchRequests } from './support/flow-helpers';

test('amounts 0, -1, 1.234 and abc are refused in the page and create no order', async ({ page, stack }) => {
  const payRequests = watchRequests(page, stack, '/api/wechat/pay/payWallet');
  await signIn(page, stack, '/', 'carol');
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');

  const cases: Array<[string, string]> = [
    ['0', 'The amount must be more than ¥0.'],
    ['-1', 'The amount must be more than ¥0.'],
    ['1.234', 'Use at most two decimals'],
    ['abc', 'Enter a number in yuan'],
    ['', 'Enter an amount in yuan'],
    ['1000000.01', 'The amount can be at most ¥1,000,000.'],
  ];
  for (const [amount, words] of cases) {
    await page.getByTestId('amount-input').fill(amount);
    await page.getByTestId('pay-button').click();
    await expect(page.getByTestId('amount-error'), `amount ${JSON.stringify(amount)}`).toContainText(words);
    await expect(page.getByTestId('amount-input')).toHaveAttribute('aria-invalid', 'true');
  }
  await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
  expect(payRequests).toHaveLength(0);

  // Typing again clears the error; a valid amount goes through to the cashier.
  await page.getByTestId('amount-input').fill('0.01');
  await expect(page.getByTestId('amount-error')).toHaveCount(0);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥0.01');
  expect(payRequests).toHaveLength(1);
});
