import type { Response } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { openProduct, payTip } from './support/flow-helpers';
import { startMockH5, type MockH5 } from './support/mock-h5';

// The frontend team's mode: `pnpm --filter @wxh5/h5 dev:mock`, here as its production-like build under
// `vite preview`, with no api, no emulator, no database. Mock Service Worker answers every /api call in the page.
let h5: MockH5;

test.beforeAll(async () => {
  h5 = await startMockH5();
});

test.afterAll(async () => {
  await h5.stop();
});

test('the H5 in mock mode loads, shares, "pays" for the course at its price and shows the paid order with no api running', async ({
  page,
}) => {
  const apiResponses: Response[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) apiResponses.push(response);
  });

  await page.goto(`${h5.url}/`);
  await expect(page.getByTestId('mock-note')).toBeVisible();
  await expect(page.getByTestId('user-nickname')).toContainText('Mia Mock');
  await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');

  // Share: the fake bridge kept what the page set for "send to friend" and Moments.
  await page.getByTestId('mock-share').click();
  await expect(page.getByTestId('mock-share-friend')).toContainText('wxh5');
  await expect(page.getByTestId('mock-share-timeline')).toContainText('wxh5');
  await page.getByTestId('mock-share-sheet').getByRole('button').click();

  // The mock's catalog, priced like the api's: two courses at ¥199.00.
  await expect(page.getByTestId('product-row')).toHaveCount(3);
  await openProduct(page, 'course');
  await expect(page.getByTestId('product-price')).toHaveText('¥199.00');
  await page.getByTestId('quantity-select').selectOption('2');
  await expect(page.getByTestId('buy-total')).toHaveText('¥398.00');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('mock-cashier-amount')).toHaveText('¥398.00');
  await page.getByTestId('mock-cashier-pay').click();

  await expect(page).toHaveURL(/\/orders\/MOCK\d+$/);
  await expect(page.getByTestId('order-status-text')).toHaveAttribute('data-status', 'PAID');
  await expect(page.getByTestId('order-amount')).toHaveText('¥398.00');
  await expect(page.getByTestId('order-unit-price')).toHaveText('¥199.00');
  await expect(page.getByTestId('order-quantity')).toHaveText('2');

  await page
    .getByRole('link', { name: /orders|订单/i })
    .last()
    .click();
  await expect(page.getByTestId('order-row')).toHaveCount(1);

  // Every api call was answered in the page by the service worker: nothing reached a server.
  expect(apiResponses.length).toBeGreaterThan(3);
  for (const response of apiResponses) expect(response.fromServiceWorker(), response.url()).toBe(true);
});

test('a cancelled mock cashier keeps the order unpaid, and 再次支付 pays it', async ({ page }) => {
  await page.goto(`${h5.url}/`);
  await payTip(page, '8');
  await expect(page.getByTestId('mock-cashier-amount')).toHaveText('¥8.00');
  await page.getByTestId('mock-cashier-cancel').click();
  await expect(page).toHaveURL(/\/orders\/MOCK\d+$/);
  await expect(page.getByTestId('order-status-text')).toHaveAttribute('data-status', 'PENDING');

  await page.getByTestId('order-pay-again').click();
  await expect(page.getByTestId('mock-cashier-amount')).toHaveText('¥8.00');
  await page.getByTestId('mock-cashier-pay').click();
  await expect(page.getByTestId('order-status-text')).toHaveAttribute('data-status', 'PAID');
});
