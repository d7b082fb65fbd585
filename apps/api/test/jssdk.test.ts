import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentialCacheKeys, type CachedCredential } from '../src/wechat/token-manager';
import {
  DEMO,
  createHttpClient,
  createTestClock,
  startEmulator,
  startTestApi,
  type TestApi,
  type TestClock,
  type TestEmulator,
} from './support';

let emulator: TestEmulator;
let api: TestApi;
let clock: TestClock;
const keys = credentialCacheKeys(DEMO.appId);

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await emulator.control('POST', '/__emulator/reset');
  clock = createTestClock();
  api = await startTestApi({ emulatorUrl: emulator.url, now: clock.now });
});
afterEach(async () => {
  await api.close();
});

interface JssdkData {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
}

const jssdk = (target: TestApi, url: string) =>
  createHttpClient(target.url).get(`/api/wechat/jssdk?url=${encodeURIComponent(url)}`);

/** The emulator's current ticket, asked with the api's cached token (getticket returns the same ticket while valid). */
async function currentTicket(target: TestApi): Promise<string> {
  const token = await target.deps.cache.get<CachedCredential>(keys.accessToken);
  expect(token).toBeDefined();
  const response = await fetch(
    `${emulator.url}/cgi-bin/ticket/getticket?access_token=${encodeURIComponent(token!.value)}&type=jsapi`,
  );
  const body = (await response.json()) as { errcode: number; ticket: string };
  expect(body.errcode).toBe(0);
  return body.ticket;
}

/** Recomputed here with node:crypto (not wechat-core), so a bug shared with the api cannot pass. */
function sha1Signature(ticket: string, nonceStr: string, timestamp: number, url: string): string {
  return createHash('sha1')
    .update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`)
    .digest('hex');
}

async function counters() {
  const all = await emulator.counters();
  return {
    stableToken: all.apps[DEMO.appId]?.stableToken ?? 0,
    ticket: all.apps[DEMO.appId]?.ticket ?? 0,
    tokenCalls: all.endpoints['/cgi-bin/stable_token'] ?? 0,
    ticketCalls: all.endpoints['/cgi-bin/ticket/getticket'] ?? 0,
  };
}

describe('JS-SDK config', () => {
  it('signs the page URL without its fragment with the emulator’s current ticket', async () => {
    const page = `${api.url}/pay?amount=1&name=%E4%B8%AD%E6%96%87&x=a+b`;
    const before = Math.floor(clock.now() / 1000);
    const response = await jssdk(api, `${page}#/orders/1?y=2`);
    expect(response.status).toBe(200);
    const { data } = response.json<{ data: JssdkData }>();
    expect(data.appId).toBe(DEMO.appId);
    expect(data.jsApiList).toEqual(['updateAppMessageShareData', 'updateTimelineShareData', 'chooseWXPay']);
    expect(data.nonceStr).toMatch(/^[A-Za-z0-9]{16,32}$/);
    expect(data.timestamp).toBeGreaterThanOrEqual(before);
    expect(data.timestamp).toBeLessThanOrEqual(Math.floor(clock.now() / 1000));
    const ticket = await currentTicket(api);
    expect(data.signature).toBe(sha1Signature(ticket, data.nonceStr, data.timestamp, page));
  });

  it('uses the injected clock for the timestamp', async () => {
    clock.advance(3600 * 1000);
    const { data } = (await jssdk(api, `${api.url}/`)).json<{ data: JssdkData }>();
    expect(Math.abs(data.timestamp - Math.floor((Date.now() + 3600 * 1000) / 1000))).toBeLessThanOrEqual(5);
  });

  it('fetches the token and the ticket once and then serves them from the cache', async () => {
    for (let i = 0; i < 5; i += 1) expect((await jssdk(api, `${api.url}/p${i}`)).status).toBe(200);
    expect(await counters()).toMatchObject({ stableToken: 1, ticket: 1 });
  });

  it('refreshes the token and the ticket ahead of their expiry', async () => {
    expect((await jssdk(api, `${api.url}/`)).status).toBe(200);
    clock.advance((7200 - 4 * 60) * 1000);
    expect((await jssdk(api, `${api.url}/`)).status).toBe(200);
    expect(await counters()).toMatchObject({ stableToken: 2, ticket: 2 });
  });

  it('keeps signing with a still-valid ticket when its early refresh finds WeChat down', async () => {
    expect((await jssdk(api, `${api.url}/`)).status).toBe(200);
    clock.advance((7200 - 4 * 60) * 1000);
    await emulator.fault('/cgi-bin/stable_token', 'http500', 3);
    await emulator.fault('/cgi-bin/ticket/getticket', 'http500', 3);
    const response = await jssdk(api, `${api.url}/`);
    expect(response.status).toBe(200);
  });

  it('refreshes the token once and retries once when the ticket fetch answers 40001', async () => {
    await emulator.fault('/cgi-bin/ticket/getticket', 'token_invalid', 1);
    const response = await jssdk(api, `${api.url}/`);
    expect(response.status).toBe(200);
    // One refused ticket call, one token refresh, one successful retry.
    expect(await counters()).toMatchObject({ stableToken: 2, ticketCalls: 2, ticket: 1 });
    const { data } = response.json<{ data: JssdkData }>();
    expect(data.signature).toBe(
      sha1Signature(await currentTicket(api), data.nonceStr, data.timestamp, `${api.url}/`),
    );
  });

  it('answers 502 wechat_error when the token is refused again after one refresh', async () => {
    await emulator.fault('/cgi-bin/ticket/getticket', 'token_invalid', 2);
    const response = await jssdk(api, `${api.url}/`);
    expect(response.status).toBe(502);
    expect(response.json()).toMatchObject({ error: 'wechat_error' });
    expect(response.json<{ message: string }>().message).toContain('40001');
    expect(await counters()).toMatchObject({ stableToken: 2, ticketCalls: 2, ticket: 0 });
  });
});

describe('JS-SDK url validation', () => {
  const bad: [string, string | undefined][] = [
    ['a foreign origin', 'https://evil.example/page'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a protocol-relative URL', '//evil.example/page'],
    ['text that is not a URL', 'not a url'],
    ['a missing url', undefined],
  ];
  it.each(bad)('answers 400 invalid_url for %s', async (_, url) => {
    const response = await createHttpClient(api.url).get(
      url === undefined ? '/api/wechat/jssdk' : `/api/wechat/jssdk?url=${encodeURIComponent(url)}`,
    );
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ code: 40005, error: 'invalid_url' });
    expect(await counters()).toMatchObject({ stableToken: 0, ticket: 0 });
  });
});

describe('WeChat unavailable', () => {
  it.each(['http500', 'busy'] as const)(
    'answers 503 wechat_unavailable after three attempts when the token endpoint fails with %s',
    async (kind) => {
      await emulator.fault('/cgi-bin/stable_token', kind, 3);
      const response = await jssdk(api, `${api.url}/`);
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({ code: 50300, error: 'wechat_unavailable' });
      expect((await counters()).tokenCalls).toBe(3);
    },
  );

  it('answers 503 at once for a few seconds after giving up, then tries WeChat again', async () => {
    await emulator.fault('/cgi-bin/stable_token', 'http500', 3);
    expect((await jssdk(api, `${api.url}/`)).status).toBe(503);
    const during = await jssdk(api, `${api.url}/`);
    expect(during.status).toBe(503);
    expect((await counters()).tokenCalls).toBe(3);
    clock.advance(6000);
    expect((await jssdk(api, `${api.url}/`)).status).toBe(200);
    expect((await counters()).tokenCalls).toBe(4);
  });

  it('recovers when a transient failure clears within the retries', async () => {
    await emulator.fault('/cgi-bin/stable_token', 'http500', 2);
    expect((await jssdk(api, `${api.url}/`)).status).toBe(200);
    expect((await counters()).tokenCalls).toBe(3);
  });

  it('answers 503 after bounded retries when WeChat does not answer in time', async () => {
    const impatient = await startTestApi({ emulatorUrl: emulator.url, env: { WECHAT_TIMEOUT_MS: '250' } });
    try {
      await emulator.fault('/cgi-bin/stable_token', 'timeout', 3);
      const response = await jssdk(impatient, `${impatient.url}/`);
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({ error: 'wechat_unavailable' });
      expect((await counters()).tokenCalls).toBe(3);
    } finally {
      await impatient.close();
    }
  });

  it('answers 502 wechat_error without retrying when WeChat refuses the credentials', async () => {
    const wrong = await startTestApi({
      emulatorUrl: emulator.url,
      env: { WECHAT_APP_SECRET: '0'.repeat(32) },
    });
    try {
      const response = await jssdk(wrong, `${wrong.url}/`);
      expect(response.status).toBe(502);
      expect(response.json()).toMatchObject({ error: 'wechat_error' });
      expect(response.json<{ message: string }>().message).toContain('40125');
      expect(response.text).not.toContain('0'.repeat(32));
      expect((await counters()).tokenCalls).toBe(1);
    } finally {
      await wrong.close();
    }
  });
});
