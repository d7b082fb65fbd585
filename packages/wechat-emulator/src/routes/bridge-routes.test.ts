import { describe, expect, it } from 'vitest';
import { buildJsapiPayParams, jssdkSignature } from '@wxh5/wechat-core';
import { DEMO_APP_ID, DEMO_APP_SECRET, DEMO_MCH_ID, DEMO_PAY_KEY, openidFor } from '../index';
import { callPay } from '../testing/pay-client';
import { waitUntil } from '../testing/wait-until';
import { isUnderPayDirectory } from './bridge-routes';
import { useEmulatorWithReceiver } from '../testing/use-emulator-with-receiver';

const t = useEmulatorWithReceiver();

async function post(path: string, body: unknown, origin?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${t.emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function currentTicket(): Promise<string> {
  const token = (await (
    await fetch(
      `${t.emulator.url}/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP_ID}&secret=${DEMO_APP_SECRET}`,
    )
  ).json()) as { access_token: string };
  const ticket = (await (
    await fetch(`${t.emulator.url}/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi`)
  ).json()) as { ticket: string };
  return ticket.ticket;
}

const PAGE = 'http://localhost:3000/?from=share';

async function configBody(url = PAGE, ticket?: string): Promise<Record<string, unknown>> {
  const jsapiTicket = ticket ?? (await currentTicket());
  return {
    appId: DEMO_APP_ID,
    timestamp: '1700000000',
    nonceStr: 'Wm3WZYTPz0wzccnW',
    signature: jssdkSignature({
      jsapi_ticket: jsapiTicket,
      noncestr: 'Wm3WZYTPz0wzccnW',
      timestamp: '1700000000',
      url,
    }),
    url,
    jsApiList: ['updateAppMessageShareData', 'getBrandWCPayRequest'],
  };
}

async function placeOrder(
  outTradeNo = 'B1',
  signType: 'MD5' | 'HMAC-SHA256' = 'HMAC-SHA256',
): Promise<string> {
  const result = await callPay(
    t.emulator.url,
    '/pay/unifiedorder',
    {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      body: '桥接测试',
      out_trade_no: outTradeNo,
      total_fee: 1234,
      spbill_create_ip: '127.0.0.1',
      notify_url: t.receiver.url,
      trade_type: 'JSAPI',
      openid: openidFor(DEMO_APP_ID, 'alice'),
    },
    { key: DEMO_PAY_KEY, signType },
  );
  return result.prepay_id ?? '';
}

describe('GET /jsbridge.js', () => {
  it('serves the bridge script as JavaScript', async () => {
    const response = await fetch(`${t.emulator.url}/jsbridge.js`);
    expect(response.headers.get('content-type')).toContain('application/javascript');
    const source = await response.text();
    expect(source).toContain('WeixinJSBridgeReady');
    expect(source).toContain('MicroMessenger/8.0.42');
  });
});

describe('POST /__bridge/preverify', () => {
  it('answers config:ok for a signature over the page URL without # and the current ticket', async () => {
    const body = await configBody();
    expect(await post('/__bridge/preverify', { ...body, url: `${PAGE}#/orders` })).toEqual({
      err_msg: 'config:ok',
    });
  });

  it('answers config:invalid signature for a wrong signature, another URL or an old ticket', async () => {
    const body = await configBody();
    expect(await post('/__bridge/preverify', { ...body, signature: '0'.repeat(40) })).toEqual({
      err_msg: 'config:invalid signature',
    });
    expect(await post('/__bridge/preverify', { ...body, url: 'http://localhost:3000/other' })).toEqual({
      err_msg: 'config:invalid signature',
    });
    await post('/__emulator/clock', { advanceSeconds: 7200 });
    await currentTicket();
    expect(await post('/__bridge/preverify', body)).toEqual({ err_msg: 'config:invalid signature' });
  });

  it('answers config:invalid url domain for a page outside the JS-safe domains', async () => {
    const url = 'http://evil.example/';
    expect(await post('/__bridge/preverify', await configBody(url))).toEqual({
      err_msg: 'config:invalid url domain',
    });
  });

  it('answers CORS for the page origin', async () => {
    const preflight = await fetch(`${t.emulator.url}/__bridge/preverify`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });
});

describe('POST /__bridge/share', () => {
  it('records share data only after a config that listed the API', async () => {
    const body = await configBody();
    const share = { kind: 'appMessage', title: '标题', desc: 'd', link: PAGE, imgUrl: '' };
    const verify = { appId: DEMO_APP_ID, signature: body.signature };
    expect(await post('/__bridge/share', { share, url: PAGE, verify })).toEqual({
      err_msg: 'updateAppMessageShareData:fail, the permission value is offline verifying',
    });
    await post('/__bridge/preverify', body);
    expect(await post('/__bridge/share', { share, url: PAGE, verify })).toEqual({
      err_msg: 'updateAppMessageShareData:ok',
    });
    const timeline = await post('/__bridge/share', {
      share: { ...share, kind: 'timeline' },
      url: PAGE,
      verify,
    });
    expect(timeline.err_msg).toBe('updateTimelineShareData:fail, the permission value is offline verifying');
    expect(t.emulator.state.shares).toHaveLength(1);
  });
});

describe('POST /__bridge/pay', () => {
  it('accepts valid pay params, pays the order and sends the notify', async () => {
    const prepayId = await placeOrder();
    const params = buildJsapiPayParams({
      appId: DEMO_APP_ID,
      prepayId,
      key: DEMO_PAY_KEY,
      signType: 'HMAC-SHA256',
    });
    const prepared = await post('/__bridge/pay/prepare', { params, url: PAGE });
    expect(prepared).toMatchObject({
      ok: true,
      order: { totalFee: 1234, body: '桥接测试', userNickname: 'Alice 王' },
    });
    expect(await post('/__bridge/pay', { params, url: PAGE })).toMatchObject({ ok: true });
    await waitUntil(() => t.receiver.bodies.length === 1);
    expect(await post('/__bridge/pay', { params, url: PAGE })).toEqual({
      ok: false,
      err_desc: '该订单已支付',
    });
  });

  it('refuses a bad paySign, a wrong sign type, another app, an unknown or expired prepay_id and a page outside the pay directory', async () => {
    const prepayId = await placeOrder();
    const good = buildJsapiPayParams({
      appId: DEMO_APP_ID,
      prepayId,
      key: DEMO_PAY_KEY,
      signType: 'HMAC-SHA256',
    });
    const md5 = buildJsapiPayParams({ appId: DEMO_APP_ID, prepayId, key: DEMO_PAY_KEY, signType: 'MD5' });
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...good, paySign: 'A'.repeat(64) }, PAGE, /签名/],
      [{ ...good, signType: 'SHA1' }, PAGE, /签名/],
      [md5, PAGE, /签名/],
      [{ ...good, appId: 'wx0000000000000000' }, PAGE, /appId/],
      [{ ...good, package: 'prepay_id=wx123' }, PAGE, /prepay_id/],
      [good, 'http://evil.example/pay', /URL未注册/],
    ];
    for (const [params, url, message] of cases) {
      const answer = await post('/__bridge/pay/prepare', { params, url });
      expect(answer.ok).toBe(false);
      expect(String(answer.err_desc)).toMatch(message);
    }
    await post('/__emulator/clock', { advanceSeconds: 7200 });
    expect(await post('/__bridge/pay/prepare', { params: good, url: PAGE })).toEqual({
      ok: false,
      err_desc: 'prepay_id已过期',
    });
    expect(t.receiver.bodies).toHaveLength(0);
  });
});

describe('isUnderPayDirectory', () => {
  it('matches scheme, host, port rule and path prefix', () => {
    expect(isUnderPayDirectory(new URL('http://localhost:5173/a/b'), ['http://localhost/'])).toBe(true);
    expect(isUnderPayDirectory(new URL('https://m.example.com/pay/x'), ['https://m.example.com/pay/'])).toBe(
      true,
    );
    expect(isUnderPayDirectory(new URL('https://m.example.com/other'), ['https://m.example.com/pay/'])).toBe(
      false,
    );
    expect(isUnderPayDirectory(new URL('http://m.example.com/pay/x'), ['https://m.example.com/pay/'])).toBe(
      false,
    );
    expect(isUnderPayDirectory(new URL('http://localhost:81/x'), ['http://localhost:80/'])).toBe(false);
  });
});
