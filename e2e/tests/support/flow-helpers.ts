import type { Page, Request } from '@playwright/test';
import { expect } from './fixtures';
import { DEMO } from './stack';
import type { Stack } from './stack';

export const TEST_USERS = {
  alice: 'Alice 王',
  bob: 'Bob 李',
  carol: 'Carol 张',
} as const;
/** A seeded test user, or one a test registered through `POST /__emulator/users`. */
export type TestUserId = keyof typeof TEST_USERS | (string & {});

export const SCREENSHOT_DIR = new URL('../../screenshots/', import.meta.url).pathname;

/** What the emulator's bridge recorded for `updateAppMessageShareData` / `updateTimelineShareData`. */
export interface RecordedShare {
  kind: 'appMessage' | 'timeline';
  title: string;
  desc?: string;
  link: string;
  imgUrl: string;
}

/** Wait for WeChat's consent page (served by the emulator), pick a test user and press allow (允许) or deny (拒绝). */
export async function answerConsent(
  page: Page,
  stack: Stack,
  { userId = 'alice', action = 'allow' }: { userId?: TestUserId; action?: 'allow' | 'deny' } = {},
): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${stack.emulatorUrl}/connect/oauth2/authorize`));
  await expect(page.getByTestId('wx-consent')).toBeVisible();
  await page.getByTestId(`wx-consent-user-${userId}`).click();
  await page.getByTestId(action === 'allow' ? 'wx-consent-allow' : 'wx-consent-deny').click();
}

/** Open `pathname` on the H5, go through WeChat consent as `userId`, and wait until the page shows the user. */
export async function signIn(
  page: Page,
  stack: Stack,
  pathname = '/',
  userId: TestUserId = 'alice',
): Promise<void> {
  await page.goto(`${stack.apiUrl}${pathname}`);
  await answerConsent(page, stack, { userId });
  await page.waitForURL((url) => url.origin === stack.apiUrl && url.pathname === pathname);
}

export async function recordedShares(page: Page): Promise<RecordedShare[]> {
  return page.evaluate(() => {
    const emulator = (window as unknown as { __wxh5Emulator?: { shares: RecordedShare[] } }).__wxh5Emulator;
    return emulator ? emulator.shares : [];
  });
}

/** Every request the page makes to `pathPrefix` on the api, in order (for "no order was created" checks). */
export function watchRequests(page: Page, stack: Stack, pathPrefix: string): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === stack.apiUrl && url.pathname.startsWith(pathPrefix)) seen.push(request);
  });
  return seen;
}

/** Register a fresh emulator user (so a test starts with no orders) and return its id. */
export async function createTestUser(stack: Stack, nickname: string): Promise<string> {
  const userId = `u${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  await stack.control('POST', '/users', { userId, nickname });
  return userId;
}

/** The openid the emulator gives a test user for the demo app. */
export async function openIdOf(stack: Stack, userId: TestUserId): Promise<string> {
  const { openid } = await stack.control<{ openid: string }>(
    'GET',
    `/users/${encodeURIComponent(userId)}/openid?appId=${DEMO.appId}`,
  );
  return openid;
}

/** The `outTradeNo` of an `/orders/:outTradeNo` page. */
export function outTradeNoOf(page: Page): string {
  const match = /\/orders\/([0-9A-Za-z]{1,32})$/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not an order page: ${page.url()}`);
  return match[1];
}

/**
 * From the home page, open a product's page through its cell in the product list (`course`, `vip-month`, `tip`:
 * the api's demo catalog) and wait until it shows.
 */
export async function openProduct(page: Page, productId: string): Promise<void> {
  await page.locator(`[data-testid="product-row"][data-product-id="${productId}"]`).click();
  await expect(page.getByTestId('product-page')).toHaveAttribute('data-product-id', productId);
}

/** From the home page, open the tip and press 立即支付 for `amount` (yuan, as typed): what the old amount field did. */
export async function payTip(page: Page, amount: string): Promise<void> {
  await openProduct(page, 'tip');
  await page.getByTestId('amount-input').fill(amount);
  await page.getByTestId('pay-button').click();
}
