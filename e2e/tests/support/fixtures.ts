import { expect, test as base } from '@playwright/test';

/**
 * The shared Playwright `test`: every browser context refuses requests to open.weixin.qq.com (jweixin reports a
 * beacon there after `wx.config`; tests stay offline and must never depend on WeChat's real hosts).
 */
export const test = base.extend({
  context: async ({ context }, use) => {
    await context.route(/^https?:\/\/([a-z0-9-]+\.)*weixin\.qq\.com\//i, (route) => route.abort());
    await use(context);
  },
});

export { expect };
