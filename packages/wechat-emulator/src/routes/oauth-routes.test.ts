import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APP_ID, DEMO_APP_SECRET, openidFor, startWechatEmulator } from '../index';
import type { EmulatorHandle } from '../index';

let emulator: EmulatorHandle;
beforeEach(async () => {
  emulator = await startWechatEmulator({ port: 0 });
});
afterEach(async () => {
  await emulator.close();
});

function authorizeUrl(params: Record<string, string>): string {
  const query = new URLSearchParams({
    appid: DEMO_APP_ID,
    redirect_uri: 'http://localhost:3000/api/wechat/getOpenId',
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'abc123',
    ...params,
  });
  return `${emulator.url}/connect/oauth2/authorize?${query.toString()}#wechat_redirect`;
}

async function getJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function control(path: string, body: unknown): Promise<Response> {
  return fetch(`${emulator.url}/__emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function baseCode(): Promise<string> {
  const response = await fetch(authorizeUrl({}), { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  return location.searchParams.get('code') ?? '';
}

function exchangePath(code: string, overrides: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    appid: DEMO_APP_ID,
    secret: DEMO_APP_SECRET,
    code,
    grant_type: 'authorization_code',
    ...overrides,
  });
  return `/sns/oauth2/access_token?${query.toString()}`;
}

describe('GET /connect/oauth2/authorize', () => {
  it('redirects a snsapi_base request at once with a code and the echoed state', async () => {
    const response = await fetch(authorizeUrl({}), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('http://localhost:3000/api/wechat/getOpenId');
    expect(location.searchParams.get('state')).toBe('abc123');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('shows error 10003 when the redirect_uri host is not the app OAuth domain exactly', async () => {
    for (const redirect of ['http://evil.example/cb', 'http://sub.localhost/cb', 'javascript:alert(1)']) {
      const response = await fetch(authorizeUrl({ redirect_uri: redirect }), { redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-emulator-error')).toBe('10003');
      expect(await response.text()).toContain('错误码:10003');
    }
  });

  it('accepts 127.0.0.1 on any port for the demo app', async () => {
    const response = await fetch(authorizeUrl({ redirect_uri: 'http://127.0.0.1:5173/x?y=1' }), {
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('y')).toBe('1');
    expect(location.searchParams.get('code')).not.toBeNull();
  });

  it('rejects an unknown appid, an unknown scope, a bad response_type and a malformed state', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ appid: 'wx0000000000000000' }, 'invalid_appid'],
      [{ scope: 'snsapi_login' }, '10005'],
      [{ response_type: 'token' }, 'response_type'],
      [{ state: 'has space' }, '10013'],
      [{ state: 'a'.repeat(129) }, '10013'],
    ];
    for (const [params, expected] of cases) {
      const response = await fetch(authorizeUrl(params), { redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-emulator-error')).toBe(expected);
    }
  });

  it('shows a consent page for snsapi_userinfo and redirects with a code for the chosen user on allow', async () => {
    const page = await fetch(authorizeUrl({ scope: 'snsapi_userinfo' }), { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Alice 王');
    expect(html).toContain('Bob 李');
    const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const consent = await fetch(`${emulator.url}/connect/oauth2/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: requestId, user: 'bob', action: 'allow' }).toString(),
      redirect: 'manual',
    });
    expect(consent.status).toBe(302);
    const location = new URL(consent.headers.get('location') ?? '');
    const code = location.searchParams.get('code') ?? '';
    const token = await getJson(exchangePath(code));
    expect(token.openid).toBe(openidFor(DEMO_APP_ID, 'bob'));
    expect(token.scope).toBe('snsapi_userinfo');
    const info = await getJson(
      `/sns/userinfo?access_token=${String(token.access_token)}&openid=${String(token.openid)}&lang=zh_CN`,
    );
    expect(info.nickname).toBe('Bob 李');
    expect(info.headimgurl).toBe(`${emulator.url}/__emulator/avatars/bob/132`);
    const replay = await fetch(`${emulator.url}/connect/oauth2/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: requestId, user: 'bob', action: 'allow' }).toString(),
      redirect: 'manual',
    });
    expect(replay.status).toBe(400);
  });

  it('refuses a consent post with an unknown user, an unknown action or an unknown request', async () => {
    const html = await (await fetch(authorizeUrl({ scope: 'snsapi_userinfo' }))).text();
    const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const post = (form: Record<string, string>) =>
      fetch(`${emulator.url}/connect/oauth2/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
    expect((await post({ request: requestId, user: 'nobody', action: 'allow' })).status).toBe(400);
    const badAction = await post({ request: requestId, user: 'alice', action: '<b>' });
    expect(badAction.status).toBe(400);
    expect(await badAction.text()).toContain('&lt;b&gt;');
    expect((await post({ request: 'unknown', user: 'alice', action: 'allow' })).status).toBe(400);
    // The pending request survived the bad posts and still works once.
    expect((await post({ request: requestId, user: 'alice', action: 'allow' })).status).toBe(302);
  });

  it('redirects with only the state when the user denies', async () => {
    const html = await (await fetch(authorizeUrl({ scope: 'snsapi_userinfo' }))).text();
    const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const consent = await fetch(`${emulator.url}/connect/oauth2/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: requestId, user: 'alice', action: 'deny' }).toString(),
      redirect: 'manual',
    });
    expect(consent.headers.get('location')).toBe('http://localhost:3000/api/wechat/getOpenId?state=abc123');
  });

  it('decides automatically once the control API sets a user and a decision', async () => {
    expect((await control('/oauth/auto', { userId: 'carol', decision: 'allow' })).status).toBe(200);
    const response = await fetch(authorizeUrl({ scope: 'snsapi_userinfo' }), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const code = new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await getJson(exchangePath(code));
    expect(token.openid).toBe(openidFor(DEMO_APP_ID, 'carol'));
    await control('/oauth/auto', { decision: 'deny' });
    const denied = await fetch(authorizeUrl({ scope: 'snsapi_userinfo' }), { redirect: 'manual' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.has('code')).toBe(false);
  });
});

describe('GET /sns/oauth2/access_token', () => {
  it('exchanges a code once and answers 40163 when it is used again', async () => {
    const code = await baseCode();
    const token = await getJson(exchangePath(code));
    expect(token).toMatchObject({
      expires_in: 7200,
      scope: 'snsapi_base',
      openid: openidFor(DEMO_APP_ID, 'alice'),
    });
    expect(typeof token.refresh_token).toBe('string');
    const again = await getJson(exchangePath(code));
    expect(again.errcode).toBe(40163);
    expect(String(again.errmsg)).toMatch(/^code been used, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  });

  it('answers 42003 for a code older than 5 minutes and 40029 for an unknown code', async () => {
    const code = await baseCode();
    await control('/clock', { advanceSeconds: 301 });
    expect((await getJson(exchangePath(code))).errcode).toBe(42003);
    expect((await getJson(exchangePath('not-a-code'))).errcode).toBe(40029);
  });

  it('checks appid, secret, grant_type and missing parameters', async () => {
    const code = await baseCode();
    expect((await getJson(exchangePath(code, { appid: 'wx0000000000000000' }))).errcode).toBe(40013);
    expect((await getJson(exchangePath(code, { secret: 'wrong' }))).errcode).toBe(40125);
    expect((await getJson(exchangePath(code, { grant_type: 'client_credential' }))).errcode).toBe(40002);
    expect(
      (await getJson(`/sns/oauth2/access_token?appid=${DEMO_APP_ID}&secret=${DEMO_APP_SECRET}`)).errcode,
    ).toBe(41008);
    // None of the refused calls consumed the code.
    expect((await getJson(exchangePath(code))).openid).toBe(openidFor(DEMO_APP_ID, 'alice'));
  });

  it('answers 40029 for a code issued to another app', async () => {
    await control('/apps', {
      appId: 'wx1111111111111111',
      appSecret: 'other-secret',
      oauthDomains: ['localhost'],
      jsDomains: ['localhost'],
    });
    const code = await baseCode();
    const path = exchangePath(code, { appid: 'wx1111111111111111', secret: 'other-secret' });
    expect((await getJson(path)).errcode).toBe(40029);
  });
});

describe('refresh_token, userinfo and auth', () => {
  it('refreshes an access token for 30 days, then answers 42002', async () => {
    const token = await getJson(exchangePath(await baseCode()));
    const refreshPath = `/sns/oauth2/refresh_token?appid=${DEMO_APP_ID}&grant_type=refresh_token&refresh_token=${String(token.refresh_token)}`;
    const refreshed = await getJson(refreshPath);
    expect(refreshed.access_token).not.toBe(token.access_token);
    expect(refreshed.openid).toBe(token.openid);
    expect((await getJson(`${refreshPath}x`)).errcode).toBe(40030);
    await control('/clock', { advanceSeconds: 30 * 24 * 3600 + 1 });
    expect((await getJson(refreshPath)).errcode).toBe(42002);
  });

  it('answers 48001 on /sns/userinfo for a snsapi_base token and 40003 for another openid', async () => {
    const token = await getJson(exchangePath(await baseCode()));
    const accessToken = String(token.access_token);
    expect(
      (await getJson(`/sns/userinfo?access_token=${accessToken}&openid=${String(token.openid)}`)).errcode,
    ).toBe(48001);
    expect((await getJson(`/sns/userinfo?access_token=${accessToken}&openid=oOther`)).errcode).toBe(40003);
    expect((await getJson(`/sns/userinfo?access_token=bad&openid=${String(token.openid)}`)).errcode).toBe(
      40014,
    );
  });

  it('validates a token on /sns/auth until it expires after 7200 seconds', async () => {
    const token = await getJson(exchangePath(await baseCode()));
    const path = `/sns/auth?access_token=${String(token.access_token)}&openid=${String(token.openid)}`;
    expect(await getJson(path)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await getJson(`/sns/auth?access_token=${String(token.access_token)}&openid=oX`)).errcode).toBe(
      40003,
    );
    await control('/clock', { advanceSeconds: 7200 });
    expect((await getJson(path)).errcode).toBe(42001);
  });
});
