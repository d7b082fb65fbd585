// The emulator's in-page bridge driven by the REAL weixin-js-sdk in Chromium: wx.config against the app's
// current ticket and JS-safe domains, share data, and wx.chooseWXPay through the emulated cashier, with the
// signed notify reaching the merchant. Also the OAuth consent page. Screenshots go to e2e/screenshots/.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { buildJsapiPayParams, parseXml, verifyV2 } from '@wxh5/wechat-core';
import {
  DEMO_APP_ID,
  DEMO_APP_SECRET,
  DEMO_MCH_ID,
  DEMO_PAY_KEY,
  openidFor,
  startWechatEmulator,
} from '@wxh5/wechat-emulator';
import type { EmulatorHandle } from '@wxh5/wechat-emulator';
import {
  SCREENSHOT_DIR,
  callPay,
  fetchJsapiTicket,
  getJson,
  postJson,
  signConfig,
  startPageServer,
} from './support/emulator-harness';
import type { PageServer, WxConfig } from './support/emulator-harness';
import { expect, test } from './support/fixtures';

let emulator: EmulatorHandle;
let pages: PageServer;

test.beforeEach(async () => {
  emulator = await startWechatEmulator({ port: 0, notifyTimeScale: 0.001 });
  pages = await startPageServer(emulator.url);
});
test.afterEach(async () => {
  await emulator.close();
  await pages.close();
});

declare global {
  interface Window {
    wx: {
      config(options: Record<string, unknown>): void;
      ready(callback: () => void): void;
      error(callback: (res: { errMsg: string }) => void): void;
      updateAppMessageShareData(options: Record<string, unknown>): void;
      chooseWXPay(options: Record<string, unknown>): void;
    };
    __events: string[];
    __wxh5Emulator: { shares: Array<{ kind: string; title: string }>; verified: string[] | null };
  }
}

async function configure(page: Page, config: WxConfig, jsApiList: string[]): Promise<void> {
  await page.evaluate(
    ({ config: c, jsApiList: list }) => {
      window.__events = [];
      window.wx.error((res) => window.__events.push(`error:${res.errMsg}`));
      window.wx.ready(() => window.__events.push('ready'));
      window.wx.config({ debug: false, ...c, jsApiList: list });
    },
    { config, jsApiList },
  );
}

async function events(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__events);
}

async function placeOrder(outTradeNo: string, totalFee: number): Promise<string> {
  const result = await callPay(
    emulator.url,
    '/pay/unifiedorder',
    {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      body: 'wxh5 会员充值',
      out_trade_no: outTradeNo,
      total_fee: totalFee,
      spbill_create_ip: '127.0.0.1',
      notify_url: `${pages.origin}/notify`,
      trade_type: 'JSAPI',
      openid: openidFor(DEMO_APP_ID, 'alice'),
    },
    DEMO_PAY_KEY,
    'HMAC-SHA256',
  );
  expect(result.result_code).toBe('SUCCESS');
  return result.prepay_id ?? '';
}

async function openConfiguredPage(page: Page, jsApiList: string[]): Promise<string> {
  const pageUrl = `${pages.origin}/page?from=test`;
  await page.goto(`${pageUrl}#/top`);
  const ticket = await fetchJsapiTicket(emulator.url, DEMO_APP_ID, DEMO_APP_SECRET);
  await configure(page, signConfig(DEMO_APP_ID, ticket, pageUrl), jsApiList);
  await expect.poll(() => events(page)).toEqual(['ready']);
  return pageUrl;
}

async function startPayment(page: Page, outTradeNo: string, totalFee: number): Promise<void> {
  const prepayId = await placeOrder(outTradeNo, totalFee);
  const params = buildJsapiPayParams({
    appId: DEMO_APP_ID,
    prepayId,
    key: DEMO_PAY_KEY,
    signType: 'HMAC-SHA256',
  });
  await page.evaluate((p) => {
    window.wx.chooseWXPay({
      // jweixin wants lowercase `timestamp` and renames it to timeStamp for the bridge.
      timestamp: p.timeStamp,
      nonceStr: p.nonceStr,
      package: p.package,
      signType: p.signType,
      paySign: p.paySign,
      success: (res: { errMsg: string }) => window.__events.push(`pay:${res.errMsg}`),
      cancel: (res: { errMsg: string }) => window.__events.push(`pay:${res.errMsg}`),
      fail: (res: { errMsg: string }) => window.__events.push(`pay:${res.errMsg}`),
    });
  }, params);
}

test('the bridge makes the page look like WeChat and wx.config with a correct signature fires ready', async ({
  page,
}) => {
  await openConfiguredPage(page, ['updateAppMessageShareData', 'chooseWXPay']);
  expect(await page.evaluate(() => navigator.userAgent)).toContain('MicroMessenger/8.0.42');
  await page.evaluate(() => {
    window.wx.updateAppMessageShareData({
      title: '分享标题',
      desc: '分享描述',
      link: location.href,
      imgUrl: '',
      success: () => window.__events.push('share:ok'),
      fail: (res: { errMsg: string }) => window.__events.push(`share:${res.errMsg}`),
    });
  });
  await expect.poll(() => events(page)).toEqual(['ready', 'share:ok']);
  await expect(page.getByTestId('wx-share-badge')).toContainText('分享标题');
  expect(await page.evaluate(() => window.__wxh5Emulator.shares.map((share) => share.title))).toEqual([
    '分享标题',
  ]);
  expect(emulator.state.shares).toMatchObject([{ kind: 'appMessage', title: '分享标题', desc: '分享描述' }]);
});

test('wx.config with a wrong signature fires error with config:invalid signature', async ({ page }) => {
  const pageUrl = `${pages.origin}/page`;
  await page.goto(pageUrl);
  const ticket = await fetchJsapiTicket(emulator.url, DEMO_APP_ID, DEMO_APP_SECRET);
  // Signed for another URL: the classic mistake of signing the OAuth callback instead of the page.
  const config = signConfig(DEMO_APP_ID, ticket, `${pages.origin}/callback`);
  await configure(page, config, ['chooseWXPay']);
  // jweixin still runs ready callbacks after the error, as the real SDK does.
  await expect.poll(() => events(page)).toEqual(['error:config:invalid signature', 'ready']);
  await page.evaluate(() => {
    window.wx.updateAppMessageShareData({
      title: 'x',
      link: location.href,
      fail: (res: { errMsg: string }) => window.__events.push(`share:${res.errMsg}`),
    });
  });
  await expect
    .poll(() => events(page))
    .toContain('share:updateAppMessageShareData:fail, the permission value is offline verifying');
});

test('a page outside the app JS-safe domains gets config:invalid url domain', async ({ page }) => {
  await postJson(`${emulator.url}/__emulator/apps`, {
    appId: 'wx5b6c7d8e9f0a1b2c',
    appSecret: 'second-app-secret-0000000000000',
    oauthDomains: ['m.example.com'],
    jsDomains: ['m.example.com'],
    name: '第二个公众号',
  });
  const pageUrl = `${pages.origin}/page`;
  await page.goto(pageUrl);
  const ticket = await fetchJsapiTicket(
    emulator.url,
    'wx5b6c7d8e9f0a1b2c',
    'second-app-secret-0000000000000',
  );
  await configure(page, signConfig('wx5b6c7d8e9f0a1b2c', ticket, pageUrl), ['chooseWXPay']);
  await expect.poll(() => events(page)).toEqual(['error:config:invalid url domain', 'ready']);
});

test('wx.chooseWXPay shows the cashier; pay answers success and a signed notify reaches the merchant', async ({
  page,
}) => {
  await openConfiguredPage(page, ['chooseWXPay']);
  await startPayment(page, 'E2EPAY0001', 1234);
  const cashier = page.getByTestId('wx-cashier');
  await expect(cashier).toBeVisible();
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥12.34');
  await expect(cashier).toContainText('wxh5 演示商户');
  await expect(cashier).toContainText('wxh5 会员充值');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'emulator-cashier.png') });
  await page.getByTestId('wx-cashier-pay').click();
  await expect.poll(() => events(page)).toEqual(['ready', 'pay:chooseWXPay:ok']);
  await expect(cashier).toHaveCount(0);
  await expect.poll(() => pages.notifies.length).toBe(1);
  const notify = parseXml(pages.notifies[0] ?? '');
  expect(notify).toMatchObject({ out_trade_no: 'E2EPAY0001', total_fee: '1234', result_code: 'SUCCESS' });
  expect(verifyV2(notify, DEMO_PAY_KEY, 'HMAC-SHA256')).toBe(true);
  const order = await getJson(`${emulator.url}/__emulator/orders/E2EPAY0001`);
  expect(order.trade_state).toBe('SUCCESS');
});

test('cancelling the cashier answers cancel and sends no notify', async ({ page }) => {
  await openConfiguredPage(page, ['chooseWXPay']);
  await startPayment(page, 'E2EPAY0002', 1);
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥0.01');
  await page.getByTestId('wx-cashier-cancel').click();
  await expect.poll(() => events(page)).toEqual(['ready', 'pay:chooseWXPay:cancel']);
  await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
  const order = await getJson(`${emulator.url}/__emulator/orders/E2EPAY0002`);
  expect(order.trade_state).toBe('NOTPAY');
  expect(emulator.pendingNotifies()).toBe(0);
  expect(pages.notifies).toHaveLength(0);
  expect(emulator.notifies()).toHaveLength(0);
});

test('chooseWXPay without chooseWXPay in jsApiList fails without showing the cashier', async ({ page }) => {
  await openConfiguredPage(page, ['updateAppMessageShareData']);
  await startPayment(page, 'E2EPAY0003', 100);
  await expect
    .poll(() => events(page))
    .toEqual(['ready', 'pay:chooseWXPay:fail, the permission value is offline verifying']);
  await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
});

test('the snsapi_userinfo consent page lets the tester pick a user and allow', async ({ page }) => {
  const redirect = `${pages.origin}/callback`;
  const authorize =
    `${emulator.url}/connect/oauth2/authorize?appid=${DEMO_APP_ID}` +
    `&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=snsapi_userinfo&state=e2e42#wechat_redirect`;
  await page.goto(authorize);
  await expect(page.getByTestId('wx-consent')).toBeVisible();
  await expect(page.getByTestId('wx-consent-app')).toHaveText('wxh5 演示公众号');
  // Every avatar is served by the emulator itself and has loaded.
  await expect
    .poll(() =>
      page.evaluate(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)),
    )
    .toBe(true);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'emulator-consent.png') });
  await page.getByTestId('wx-consent-user-bob').click();
  await page.getByTestId('wx-consent-allow').click();
  await page.waitForURL(/\/callback\?code=/);
  const landed = new URL(page.url());
  expect(landed.searchParams.get('state')).toBe('e2e42');
  const token = await getJson(
    `${emulator.url}/sns/oauth2/access_token?appid=${DEMO_APP_ID}&secret=${DEMO_APP_SECRET}` +
      `&code=${landed.searchParams.get('code') ?? ''}&grant_type=authorization_code`,
  );
  expect(token.openid).toBe(openidFor(DEMO_APP_ID, 'bob'));
});

test('denying on the consent page returns with the state only', async ({ page }) => {
  const redirect = `${pages.origin}/callback`;
  await page.goto(
    `${emulator.url}/connect/oauth2/authorize?appid=${DEMO_APP_ID}&redirect_uri=${encodeURIComponent(redirect)}` +
      `&response_type=code&scope=snsapi_userinfo&state=deny1#wechat_redirect`,
  );
  await page.getByTestId('wx-consent-deny').click();
  await page.waitForURL(/\/callback\?state=deny1$/);
});

test('a page that calls WeixinJSBridge directly (no wx.config) can pay, and a bad paySign fails without a cashier', async ({
  page,
}) => {
  await page.goto(`${pages.origin}/page/direct`);
  const invoke = (params: Record<string, string>) =>
    page.evaluate(
      (p) =>
        new Promise<string>((resolve) => {
          const run = () => {
            (
              window as unknown as {
                WeixinJSBridge: { invoke(n: string, p: unknown, cb: (r: { err_msg: string }) => void): void };
              }
            ).WeixinJSBridge.invoke('getBrandWCPayRequest', p, (res) => resolve(res.err_msg));
          };
          if ('WeixinJSBridge' in window) run();
          else document.addEventListener('WeixinJSBridgeReady', run, false);
        }),
      params,
    );
  const prepayId = await placeOrder('E2EDIRECT1', 500);
  const params = buildJsapiPayParams({
    appId: DEMO_APP_ID,
    prepayId,
    key: DEMO_PAY_KEY,
    signType: 'HMAC-SHA256',
  });
  expect(
    await invoke({ ...params, paySign: params.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
  ).toBe('get_brand_wcpay_request:fail');
  await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
  const answer = invoke({ ...params });
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥5.00');
  await page.getByTestId('wx-cashier-pay').click();
  expect(await answer).toBe('get_brand_wcpay_request:ok');
  await expect.poll(() => pages.notifies.length).toBe(1);
});
