import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO,
  TEST_COOKIE_KEY,
  createHttpClient,
  createTestClock,
  driveLogin,
  loginAs,
  startEmulator,
  startTestApi,
  type TestApi,
  type TestClock,
  type TestEmulator,
} from './support';

let emulator: TestEmulator;
let api: TestApi;
let clock: TestClock;

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

const redirectPath = (callback: string, scope?: string) =>
  `/api/wechat/redirect?callback=${encodeURIComponent(callback)}${scope ? `&scope=${scope}` : ''}`;

describe('login', () => {
  it('logs a user in silently with snsapi_base and answers getUserInfo', async () => {
    const browser = createHttpClient(api.url);
    const steps = await driveLogin(browser, emulator, 'alice', 'snsapi_base');
    expect(steps.getOpenId.status).toBe(302);
    expect(steps.getOpenId.location).toBe(`${api.url}/`);
    const setCookie = steps.getOpenId.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/openId=[^;]+;.*httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);

    const me = await browser.get('/api/wechat/getUserInfo');
    expect(me.status).toBe(200);
    expect(me.json()).toEqual({
      code: 0,
      data: { openId: await emulator.openIdOf('alice'), nickname: '', avatarUrl: '', scope: 'snsapi_base' },
    });
  });

  it('logs a user in with consent (snsapi_userinfo) and stores nickname and avatar', async () => {
    const cookie = await loginAs(api, emulator, 'alice', 'snsapi_userinfo');
    const me = await createHttpClient(api.url).get('/api/wechat/getUserInfo', { headers: { cookie } });
    expect(me.status).toBe(200);
    const data = me.json<{ data: Record<string, string> }>().data;
    expect(data).toMatchObject({
      openId: await emulator.openIdOf('alice'),
      nickname: 'Alice 王',
      scope: 'snsapi_userinfo',
    });
    expect(data.avatarUrl).not.toBe('');
  });

  it('keeps the profile of a userinfo user who later logs in silently', async () => {
    await loginAs(api, emulator, 'bob', 'snsapi_userinfo');
    const cookie = await loginAs(api, emulator, 'bob', 'snsapi_base');
    const me = await createHttpClient(api.url).get('/api/wechat/getUserInfo', { headers: { cookie } });
    expect(me.json()).toMatchObject({ data: { nickname: 'Bob 李', scope: 'snsapi_userinfo' } });
  });

  it('redirects to the authorize URL with its parameters in WeChat order and redirect_uri fully encoded', async () => {
    const response = await createHttpClient(api.url).get(
      redirectPath(`${api.url}/pay?x=1#top`, 'snsapi_userinfo'),
    );
    expect(response.status).toBe(302);
    const redirectUri = encodeURIComponent(`${api.url}/api/wechat/getOpenId`);
    expect(redirectUri).toContain('%3A%2F%2F');
    const expected = new RegExp(
      `^${emulator.url.replace(/[.]/g, '\\.')}/connect/oauth2/authorize\\?appid=${DEMO.appId}` +
        `&redirect_uri=${redirectUri.replace(/[.]/g, '\\.')}&response_type=code&scope=snsapi_userinfo` +
        `&state=[A-Za-z0-9]{32}#wechat_redirect$`,
    );
    expect(response.location).toMatch(expected);
    expect(response.headers.getSetCookie().join('\n')).toMatch(/wx_oauth=.*httponly/i);
  });

  it('defaults the scope to snsapi_base', async () => {
    const response = await createHttpClient(api.url).get(redirectPath(`${api.url}/`));
    expect(response.location).toContain('&scope=snsapi_base&state=');
  });

  it('sends a user who declines consent back to the callback with wx_auth=denied and no session', async () => {
    const browser = createHttpClient(api.url);
    await emulator.oauthAuto('alice', 'deny');
    const start = await browser.get(redirectPath(`${api.url}/home?tab=1`, 'snsapi_userinfo'));
    const authorize = await browser.get(start.location!);
    expect(authorize.status).toBe(302);
    expect(authorize.location).not.toContain('code=');
    const back = await browser.get(authorize.location!);
    expect(back.status).toBe(302);
    expect(back.location).toBe(`${api.url}/home?tab=1&wx_auth=denied`);
    expect(browser.jar.get('openId')).toBeUndefined();
    expect((await browser.get('/api/wechat/getUserInfo')).status).toBe(401);
  });

  it('logs out by clearing the session cookie', async () => {
    const browser = createHttpClient(api.url);
    await driveLogin(browser, emulator, 'carol');
    expect((await browser.get('/api/wechat/getUserInfo')).status).toBe(200);
    const out = await browser.post('/api/wechat/logout');
    expect(out.json()).toEqual({ code: 0, data: { loggedOut: true } });
    expect(browser.jar.get('openId')).toBeUndefined();
    expect((await browser.get('/api/wechat/getUserInfo')).status).toBe(401);
  });
});

describe('callback validation', () => {
  const bad: [string, (apiUrl: string) => string | undefined][] = [
    ['a foreign origin', () => 'https://evil.example/steal'],
    ['a javascript: URL', () => 'javascript:alert(document.cookie)'],
    ['a protocol-relative URL', () => '//evil.example/steal'],
    ['a relative path', () => '/home'],
    ['a URL with credentials', (apiUrl) => apiUrl.replace('http://', 'http://user:pw@') + '/'],
    ['the right host on another port', (apiUrl) => `${apiUrl.replace(/:\d+$/, ':1')}/`],
    ['a backslash trick', (apiUrl) => `${apiUrl.replace('http://', 'http:\\\\')}/`],
    ['nothing', () => undefined],
  ];
  it.each(bad)('answers 400 invalid_callback without redirecting for %s', async (_, make) => {
    const callback = make(api.url);
    const response = await createHttpClient(api.url).get(
      callback === undefined ? '/api/wechat/redirect' : redirectPath(callback),
    );
    expect(response.status).toBe(400);
    expect(response.location).toBeUndefined();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.json()).toMatchObject({ code: 40002, error: 'invalid_callback' });
  });

  it('answers 400 invalid_scope for an unknown scope', async () => {
    const response = await createHttpClient(api.url).get(redirectPath(`${api.url}/`, 'snsapi_login'));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('accepts an extra origin from ALLOWED_CALLBACK_ORIGINS', async () => {
    const other = await startTestApi({
      emulatorUrl: emulator.url,
      env: { ALLOWED_CALLBACK_ORIGINS: 'https://h5.example.com' },
    });
    try {
      const response = await createHttpClient(other.url).get(redirectPath('https://h5.example.com/x'));
      expect(response.status).toBe(302);
    } finally {
      await other.close();
    }
  });
});

describe('state checks', () => {
  async function startAndAuthorize(browser = createHttpClient(api.url), userId = 'alice') {
    await emulator.oauthAuto(userId, 'allow');
    const start = await browser.get(redirectPath(`${api.url}/`));
    const authorize = await browser.get(start.location!);
    return { browser, returnUrl: authorize.location! };
  }

  function expectRefused(response: { status: number; json<T>(): T; headers: Headers }, slug: string) {
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: slug });
    expect(response.headers.getSetCookie().some((line) => line.startsWith('openId='))).toBe(false);
  }

  it('refuses a missing state', async () => {
    expectRefused(await createHttpClient(api.url).get('/api/wechat/getOpenId?code=abc'), 'invalid_state');
  });

  it('refuses a malformed state', async () => {
    expectRefused(
      await createHttpClient(api.url).get('/api/wechat/getOpenId?code=abc&state=not-valid!'),
      'invalid_state',
    );
  });

  it('refuses an unknown state', async () => {
    const { browser, returnUrl } = await startAndAuthorize();
    const forged = returnUrl.replace(/state=[A-Za-z0-9]+/, `state=${'A'.repeat(32)}`);
    expectRefused(await browser.get(forged), 'invalid_state');
  });

  it('refuses an expired state', async () => {
    const { browser, returnUrl } = await startAndAuthorize();
    clock.advance(11 * 60 * 1000);
    expectRefused(await browser.get(returnUrl), 'invalid_state');
  });

  it('refuses a replayed state', async () => {
    const { browser, returnUrl } = await startAndAuthorize();
    expect((await browser.get(returnUrl)).status).toBe(302);
    const again = createHttpClient(api.url);
    for (const [name, value] of browser.jar.cookies)
      if (name.startsWith('wx_oauth')) again.jar.set(name, value);
    expectRefused(await again.get(returnUrl), 'invalid_state');
  });

  it('refuses a state returned to another browser, and leaves it usable for the browser that started it', async () => {
    const { browser, returnUrl } = await startAndAuthorize();
    const attacker = createHttpClient(api.url);
    expectRefused(await attacker.get(returnUrl), 'invalid_state');
    // Another browser with its own (valid) binding cookie is refused too.
    await attacker.get(redirectPath(`${api.url}/`));
    expectRefused(await attacker.get(returnUrl), 'invalid_state');
    const own = await browser.get(returnUrl);
    expect(own.status).toBe(302);
    expect(browser.jar.get('openId')).toBeDefined();
  });

  it('lets two tabs of one browser log in at the same time', async () => {
    const browser = createHttpClient(api.url);
    const first = await startAndAuthorize(browser);
    const second = await startAndAuthorize(browser);
    expect((await browser.get(first.returnUrl)).status).toBe(302);
    expect((await browser.get(second.returnUrl)).status).toBe(302);
  });
});

describe('code checks', () => {
  it('refuses a reused code with 400 and WeChat errcode 40163, without a session', async () => {
    const browser = createHttpClient(api.url);
    const steps = await driveLogin(browser, emulator, 'alice');
    const usedCode = new URL(steps.authorize.location!).searchParams.get('code')!;

    const fresh = createHttpClient(api.url);
    const start = await fresh.get(redirectPath(`${api.url}/`));
    const state = new URL(start.location!.replace('#wechat_redirect', '')).searchParams.get('state')!;
    const response = await fresh.get(`/api/wechat/getOpenId?code=${usedCode}&state=${state}`);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'oauth_code_rejected' });
    expect(response.json<{ message: string }>().message).toContain('40163');
    expect(fresh.jar.get('openId')).toBeUndefined();
  });

  it('refuses an invalid code with errcode 40029', async () => {
    const browser = createHttpClient(api.url);
    const start = await browser.get(redirectPath(`${api.url}/`));
    const state = new URL(start.location!.replace('#wechat_redirect', '')).searchParams.get('state')!;
    const response = await browser.get(`/api/wechat/getOpenId?code=bogus0123&state=${state}`);
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain('40029');
    expect(browser.jar.get('openId')).toBeUndefined();
  });

  it('refuses an expired code (WeChat errcode 42003)', async () => {
    const browser = createHttpClient(api.url);
    await emulator.oauthAuto('alice', 'allow');
    const start = await browser.get(redirectPath(`${api.url}/`));
    const authorize = await browser.get(start.location!);
    await emulator.advanceClock(6 * 60);
    const response = await browser.get(authorize.location!);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'oauth_code_rejected' });
    expect(response.json<{ message: string }>().message).toContain('42003');
    expect(browser.jar.get('openId')).toBeUndefined();
  });

  it('answers 503 wechat_unavailable when the code exchange keeps failing, and logs nobody in', async () => {
    const browser = createHttpClient(api.url);
    await emulator.oauthAuto('alice', 'allow');
    const start = await browser.get(redirectPath(`${api.url}/`));
    const authorize = await browser.get(start.location!);
    await emulator.fault('/sns/oauth2/access_token', 'http500', 3);
    const response = await browser.get(authorize.location!);
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ error: 'wechat_unavailable' });
    expect(browser.jar.get('openId')).toBeUndefined();
    const counters = await emulator.counters();
    expect(counters.endpoints['/sns/oauth2/access_token']).toBe(3);
  });

  it('retries a transient failure of the code exchange and logs the user in', async () => {
    await emulator.fault('/sns/oauth2/access_token', 'busy', 1);
    const browser = createHttpClient(api.url);
    const steps = await driveLogin(browser, emulator, 'alice');
    expect(steps.getOpenId.status).toBe(302);
    expect(browser.jar.get('openId')).toBeDefined();
  });
});

describe('session cookie', () => {
  async function getUserInfo(target: TestApi, cookie: string) {
    return createHttpClient(target.url).get('/api/wechat/getUserInfo', { headers: { cookie } });
  }
  const expect401 = (response: { status: number; json<T>(): T }) => {
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ code: 40100, error: 'unauthenticated' });
  };

  it('answers 401 without a cookie', async () => {
    expect401(await getUserInfo(api, ''));
  });

  it('answers 401 for a tampered cookie', async () => {
    const cookie = await loginAs(api, emulator, 'alice');
    const bobOpenId = await emulator.openIdOf('bob');
    const tampered = cookie.replace(/openId=[A-Za-z0-9_-]+\./, `openId=${bobOpenId}.`);
    expect(tampered).not.toBe(cookie);
    expect401(await getUserInfo(api, tampered));
  });

  it('answers 401 for an unsigned cookie', async () => {
    const cookie = await loginAs(api, emulator, 'alice');
    expect401(await getUserInfo(api, cookie.split('; ')[0]!));
  });

  it('answers 401 for an expired cookie', async () => {
    const cookie = await loginAs(api, emulator, 'alice');
    expect((await getUserInfo(api, cookie)).status).toBe(200);
    clock.advance(7 * 24 * 3600 * 1000 + 1000);
    expect401(await getUserInfo(api, cookie));
  });

  it('answers 401 for a valid cookie of a user this database does not know', async () => {
    const cookie = await loginAs(api, emulator, 'alice');
    const other = await startTestApi({ emulatorUrl: emulator.url });
    try {
      expect401(await getUserInfo(other, cookie));
    } finally {
      await other.close();
    }
  });

  describe('key rotation', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'wxh5-api-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('accepts a cookie signed with an older key still listed, and refuses it once the key is retired', async () => {
      const sqliteUrl = `sqlite:${path.join(dir, 'db.sqlite')}`;
      const newKey = 'rotated-cookie-key-9876543210zyxwvutsrqponm';
      const before = await startTestApi({ emulatorUrl: emulator.url, sqliteUrl });
      const cookie = await loginAs(before, emulator, 'alice');
      await before.close();

      const rotated = await startTestApi({
        emulatorUrl: emulator.url,
        sqliteUrl,
        env: { COOKIE_KEYS: `${newKey},${TEST_COOKIE_KEY}` },
      });
      try {
        expect((await getUserInfo(rotated, cookie)).status).toBe(200);
      } finally {
        await rotated.close();
      }

      const retired = await startTestApi({
        emulatorUrl: emulator.url,
        sqliteUrl,
        env: { COOKIE_KEYS: newKey },
      });
      try {
        expect401(await getUserInfo(retired, cookie));
      } finally {
        await retired.close();
      }
    });
  });
});
