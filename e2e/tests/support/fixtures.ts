import { expect, test as base } from '@playwright/test';
import type { BrowserContext } from '@playwright/test';

/** Abort every request to WeChat's real hosts (jweixin reports a beacon to open.weixin.qq.com after wx.config). */
export async function blockWechatHosts(context: BrowserContext): Promise<void> {
  await context.route(/^https?:\/\/([a-z0-9-]+\.)*weixin\.qq\.com\//i, (route) => route.abort());
}

/**
 * The shared Playwright `test`: every browser context refuses requests to *.weixin.qq.com, so tests stay offline
 * and never depend on WeChat's real hosts. Contexts a test opens itself should call `blockWechatHosts`.
 */
export const test = base.extend({
  context: async ({ context }, use) => {
    await blockWechatHosts(context);
    await use(context);
  },
});

export { expect };
