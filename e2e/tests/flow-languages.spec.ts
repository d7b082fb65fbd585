import type { Page } from '@playwright/test';
import { expect, test } from './support/flow-fixtures';
import { SCREENSHOT_DIR, createTestUser, openProduct, outTradeNoOf, signIn } from './support/flow-helpers';
import type { Stack } from './support/stack';

/** The words each locale must show along the flow (the catalogues' own, checked here by a person's eye). */
const WORDS = {
  'zh-CN': {
    lang: 'zh-CN',
    productsTitle: '商品',
    tip: '打赏',
    suggested: '建议 ¥5.00',
    payNow: '立即支付',
    success: '支付成功',
    myOrders: '我的订单',
    paid: '已支付',
    notInWechat: '请在微信中打开',
    copyLink: '复制链接',
  },
  en: {
    lang: 'en',
    productsTitle: 'Products',
    // The product's own title is the merchant's data, in the language the merchant wrote it.
    tip: '打赏',
    suggested: 'Suggested ¥5.00',
    payNow: 'Pay now',
    success: 'Payment successful',
    myOrders: 'My orders',
    paid: 'Paid',
    notInWechat: 'Open this page in WeChat',
    copyLink: 'Copy link',
  },
} as const;

type Locale = keyof typeof WORDS;

const VIEWPORTS = {
  '375x667': { width: 375, height: 667 },
  '414x896': { width: 414, height: 896 },
} as const;

const MATRIX: Array<{ locale: Locale; viewport: keyof typeof VIEWPORTS; scheme: 'light' | 'dark' }> = [
  { locale: 'zh-CN', viewport: '375x667', scheme: 'light' },
  { locale: 'en', viewport: '375x667', scheme: 'light' },
  { locale: 'zh-CN', viewport: '414x896', scheme: 'light' },
  { locale: 'en', viewport: '414x896', scheme: 'light' },
  { locale: 'zh-CN', viewport: '375x667', scheme: 'dark' },
  { locale: 'en', viewport: '414x896', scheme: 'dark' },
];

/** WCAG contrast ratio of an element's text colour against the page background. */
async function contrastOf(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((element) => {
    const parse = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const channel = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const text = luminance(parse(getComputedStyle(element).color));
    const background = luminance(parse(getComputedStyle(document.body).backgroundColor));
    const [hi, lo] = text > background ? [text, background] : [background, text];
    return (hi + 0.05) / (lo + 0.05);
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  // The emulator's share badge is not part of the page (real WeChat has no such badge).
  await page.screenshot({
    path: `${SCREENSHOT_DIR}${name}.png`,
    style: '[data-testid="wx-share-badge"] { display: none !important; }',
  });
}

for (const { locale, viewport, scheme } of MATRIX) {
  test.describe(`${locale} at ${viewport}, ${scheme}`, () => {
    test.use({ locale, viewport: VIEWPORTS[viewport], colorScheme: scheme });

    test('the whole flow reads in the browser language: home, the tip, cashier, 支付成功, the list', async ({
      page,
      stack,
    }) => {
      const words = WORDS[locale];
      const tag = `${locale}-${viewport}-${scheme}`;
      const userId = await createTestUser(stack, 'Ivy 冯');
      await signIn(page, stack, '/', userId);
      await expect(page.getByTestId('wx-status')).toHaveAttribute('data-state', 'ready');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(words.lang);
      await expect(page.getByRole('heading', { name: words.productsTitle, exact: true })).toBeVisible();
      if (scheme === 'dark') {
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe('rgb(17, 17, 17)');
        expect(await contrastOf(page, 'user-nickname')).toBeGreaterThanOrEqual(7);
      }
      const tipRow = page.locator('[data-testid="product-row"][data-product-id="tip"]');
      await expect(tipRow).toContainText(words.tip);
      await expect(tipRow).toContainText(words.suggested);
      await shoot(page, `h5-home-${tag}`);

      await openProduct(page, 'tip');
      await page.getByTestId('amount-input').fill('12.34');
      await expect(page.getByTestId('buy-total')).toHaveText('¥12.34');
      await expect(page.getByTestId('pay-button')).toHaveText(words.payNow);
      await shoot(page, `h5-product-${tag}`);

      await page.getByTestId('pay-button').click();
      await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥12.34');
      await shoot(page, `h5-cashier-${tag}`);
      await page.getByTestId('wx-cashier-pay').click();

      await expect(page.getByRole('heading', { name: words.success })).toBeVisible();
      await expect(page.getByTestId('order-amount')).toHaveText('¥12.34');
      if (scheme === 'dark') expect(await contrastOf(page, 'order-status-text')).toBeGreaterThanOrEqual(4.5);
      const outTradeNo = outTradeNoOf(page);
      await shoot(page, `h5-success-${tag}`);
      // Scrolled to the end, the result page's last button is clear of the emulator's share badge (fixed, bottom
      // right): the page leaves room under its last button.
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      const badge = await page.getByTestId('wx-share-badge').boundingBox();
      const button = await page.getByTestId('order-link-orders').boundingBox();
      expect(badge).not.toBeNull();
      if (badge && button) {
        const overlaps =
          button.x < badge.x + badge.width &&
          badge.x < button.x + button.width &&
          button.y < badge.y + badge.height &&
          badge.y < button.y + button.height;
        expect(overlaps, 'the share badge covers 我的订单').toBe(false);
      }

      await page.getByRole('link', { name: words.myOrders }).click();
      const row = page.getByTestId('order-row').first();
      await expect(row).toHaveAttribute('data-out-trade-no', outTradeNo);
      await expect(row).toContainText(words.paid);
      await expect(row).toContainText('¥12.34');
      await shoot(page, `h5-orders-${tag}`);
    });
  });
}

test('the language switch turns the page English and keeps it for the visit', async ({ page, stack }) => {
  await signIn(page, stack, '/', 'carol');
  await expect(page.getByRole('heading', { name: '商品', exact: true })).toBeVisible();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { name: 'Products', exact: true })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  await page.getByTestId('link-orders').click();
  await expect(page.getByRole('heading', { name: 'My orders' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'My orders' })).toBeVisible();
  // ?lang= wins over the kept choice.
  await page.goto(`${stack.apiUrl}/orders?lang=zh`);
  await expect(page.getByRole('heading', { name: '我的订单' })).toBeVisible();
});

/** A browser that is not WeChat: the emulator's bridge (which makes the page look like WeChat) never loads. */
async function withoutWechatBridge(page: Page, stack: Stack): Promise<void> {
  await page.route(`${stack.emulatorUrl}/jsbridge.js`, (route) => route.abort());
}

for (const locale of ['zh-CN', 'en'] as const) {
  test.describe(`outside WeChat (${locale})`, () => {
    test.use({ locale });

    test('a browser that is not WeChat gets a QR code of the page and a copy-link button, no login', async ({
      page,
      stack,
      context,
    }) => {
      const words = WORDS[locale];
      const logins: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/wechat/redirect')) logins.push(request.url());
      });
      await withoutWechatBridge(page, stack);
      await page.goto(`${stack.apiUrl}/orders`);
      await expect(page.getByRole('heading', { name: words.notInWechat })).toBeVisible();
      expect(await page.evaluate(() => navigator.userAgent)).not.toMatch(/MicroMessenger/i);
      const qr = page.getByTestId('qr-code');
      await expect(qr).toBeVisible();
      expect(Number(await qr.getAttribute('data-modules'))).toBeGreaterThanOrEqual(21);
      await expect(page.getByTestId('page-link')).toHaveText(`${stack.apiUrl}/orders`);
      await page.screenshot({ path: `${SCREENSHOT_DIR}h5-not-in-wechat-${locale}.png` });

      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.apiUrl });
      await page.getByRole('button', { name: words.copyLink }).click();
      await expect(page.getByTestId('copy-result')).toHaveAttribute('data-result', 'copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${stack.apiUrl}/orders`);
      expect(logins).toEqual([]);
    });
  });
}

test('dark mode outside WeChat keeps the QR code dark on white', async ({ page, stack }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await withoutWechatBridge(page, stack);
  await page.goto(`${stack.apiUrl}/`);
  await expect(page.getByTestId('qr-code')).toBeVisible();
  const qrBackground = await page
    .getByTestId('qr-code')
    .evaluate((svg) => getComputedStyle(svg).backgroundColor);
  expect(qrBackground).toBe('rgb(255, 255, 255)');
  await page.screenshot({ path: `${SCREENSHOT_DIR}h5-not-in-wechat-zh-CN-dark.png` });
});
