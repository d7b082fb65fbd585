// Pay API v3 through the REAL weixin-js-sdk in Chromium: an order placed with a signed v3 request, then
// wx.chooseWXPay with RSA pay params (signType 'RSA', paySign by the merchant key) through the emulated cashier,
// and the encrypted TRANSACTION.SUCCESS notify signed with the WeChat Pay public key reaching the merchant.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  buildJsapiPayParamsV3,
  decryptAeadAesGcm,
  loadMerchantPrivateKey,
  signV3Request,
} from '@wxh5/wechat-core';
import {
  DEMO_API_V3_KEY,
  DEMO_APP_ID,
  DEMO_APP_SECRET,
  DEMO_KEY_FILES,
  DEMO_MCH_CERT_SERIAL,
  DEMO_MCH_ID,
  DEMO_WECHATPAY_PUBLIC_KEY_ID,
  openidFor,
  startWechatEmulator,
} from '@wxh5/wechat-emulator';
import type { EmulatorHandle } from '@wxh5/wechat-emulator';
import { fetchJsapiTicket, getJson, signConfig, startPageServer } from './support/emulator-harness';
import type { PageServer } from './support/emulator-harness';
import { expect, test } from './support/fixtures';

let emulator: EmulatorHandle;
let pages: PageServer;
const merchantKey = loadMerchantPrivateKey(readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8'));

test.beforeEach(async () => {
  emulator = await startWechatEmulator({ port: 0, notifyTimeScale: 0.001 });
  pages = await startPageServer(emulator.url);
});
test.afterEach(async () => {
  await emulator.close();
  await pages.close();
});

async function placeV3Order(outTradeNo: string, total: number): Promise<string> {
  const path = '/v3/pay/transactions/jsapi';
  const body = JSON.stringify({
    appid: DEMO_APP_ID,
    mchid: DEMO_MCH_ID,
    description: 'wxh5 会员充值',
    out_trade_no: outTradeNo,
    notify_url: `${pages.origin}/notify`,
    amount: { total, currency: 'CNY' },
    payer: { openid: openidFor(DEMO_APP_ID, 'alice') },
  });
  const { authorization } = signV3Request({
    method: 'POST',
    url: path,
    body,
    mchId: DEMO_MCH_ID,
    serialNo: DEMO_MCH_CERT_SERIAL,
    privateKey: merchantKey,
  });
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': 'application/json',
      accept: 'application/json',
      'wechatpay-serial': DEMO_WECHATPAY_PUBLIC_KEY_ID,
    },
    body,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { prepay_id: string }).prepay_id;
}

async function events(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __events: string[] }).__events);
}

async function openConfiguredPage(page: Page): Promise<void> {
  const pageUrl = `${pages.origin}/page?from=v3`;
  await page.goto(pageUrl);
  const ticket = await fetchJsapiTicket(emulator.url, DEMO_APP_ID, DEMO_APP_SECRET);
  const config = signConfig(DEMO_APP_ID, ticket, pageUrl);
  await page.evaluate((c) => {
    const w = window as unknown as {
      __events: string[];
      wx: {
        config(o: unknown): void;
        ready(f: () => void): void;
        error(f: (r: { errMsg: string }) => void): void;
      };
    };
    w.__events = [];
    w.wx.error((res) => w.__events.push(`error:${res.errMsg}`));
    w.wx.ready(() => w.__events.push('ready'));
    w.wx.config({ debug: false, ...c, jsApiList: ['chooseWXPay'] });
  }, config);
  await expect.poll(() => events(page)).toEqual(['ready']);
}

async function chooseWXPay(page: Page, params: Record<string, string>): Promise<void> {
  await page.evaluate((p) => {
    const w = window as unknown as { __events: string[]; wx: { chooseWXPay(o: unknown): void } };
    w.wx.chooseWXPay({
      // jweixin wants lowercase `timestamp` and renames it to timeStamp for the bridge.
      timestamp: p.timeStamp,
      nonceStr: p.nonceStr,
      package: p.package,
      signType: p.signType,
      paySign: p.paySign,
      success: (res: { errMsg: string }) => w.__events.push(`pay:${res.errMsg}`),
      cancel: (res: { errMsg: string }) => w.__events.push(`pay:${res.errMsg}`),
      fail: (res: { errMsg: string }) => w.__events.push(`pay:${res.errMsg}`),
    });
  }, params);
}

test('wx.chooseWXPay with RSA pay params pays a v3 order through the cashier; the v3 notify arrives signed and encrypted', async ({
  page,
}) => {
  await openConfiguredPage(page);
  const prepayId = await placeV3Order('E2EV3PAY01', 2345);
  const params = buildJsapiPayParamsV3({ appId: DEMO_APP_ID, prepayId, privateKey: merchantKey });
  expect(params.signType).toBe('RSA');
  await chooseWXPay(page, params);
  await expect(page.getByTestId('wx-cashier-amount')).toHaveText('¥23.45');
  await page.getByTestId('wx-cashier-pay').click();
  await expect.poll(() => events(page)).toEqual(['ready', 'pay:chooseWXPay:ok']);
  await expect.poll(() => pages.notifies.length).toBe(1);
  const notify = JSON.parse(pages.notifies[0] ?? '{}') as {
    event_type: string;
    resource: { ciphertext: string; nonce: string; associated_data: string };
  };
  expect(notify.event_type).toBe('TRANSACTION.SUCCESS');
  expect(JSON.parse(decryptAeadAesGcm(notify.resource, DEMO_API_V3_KEY))).toMatchObject({
    out_trade_no: 'E2EV3PAY01',
    trade_state: 'SUCCESS',
    amount: { total: 2345 },
  });
  await expect
    .poll(() => emulator.notifies().map((entry) => [entry.api, entry.signedBy, entry.ok]))
    .toEqual([['v3', DEMO_WECHATPAY_PUBLIC_KEY_ID, true]]);
  expect((await getJson(`${emulator.url}/__emulator/orders/E2EV3PAY01`)).trade_state).toBe('SUCCESS');
});

test('a v3 order with an RSA paySign by another key, or with MD5 params, fails without a cashier', async ({
  page,
}) => {
  await openConfiguredPage(page);
  const prepayId = await placeV3Order('E2EV3PAY02', 100);
  const good = buildJsapiPayParamsV3({ appId: DEMO_APP_ID, prepayId, privateKey: merchantKey });
  await chooseWXPay(page, { ...good, timeStamp: String(Number(good.timeStamp) + 1) });
  await expect.poll(() => events(page)).toHaveLength(2);
  expect((await events(page))[1]).toMatch(/^pay:chooseWXPay:fail/);
  await chooseWXPay(page, { ...good, signType: 'MD5' });
  await expect.poll(() => events(page)).toHaveLength(3);
  expect((await events(page))[2]).toMatch(/^pay:chooseWXPay:fail/);
  await expect(page.getByTestId('wx-cashier')).toHaveCount(0);
  expect((await getJson(`${emulator.url}/__emulator/orders/E2EV3PAY02`)).trade_state).toBe('NOTPAY');
});
