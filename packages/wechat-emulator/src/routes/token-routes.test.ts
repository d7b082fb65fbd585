import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APP_ID, DEMO_APP_SECRET, startWechatEmulator } from '../index';
import type { EmulatorHandle } from '../index';

let emulator: EmulatorHandle;
beforeEach(async () => {
  emulator = await startWechatEmulator({ port: 0 });
});
afterEach(async () => {
  await emulator.close();
});

async function getJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function postJson(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

const tokenPath = `/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP_ID}&secret=${DEMO_APP_SECRET}`;
const ticketPath = (token: unknown): string =>
  `/cgi-bin/ticket/getticket?access_token=${String(token)}&type=jsapi`;
const advance = (seconds: number): Promise<Record<string, unknown>> =>
  postJson('/__emulator/clock', { advanceSeconds: seconds });

describe('GET /cgi-bin/token', () => {
  it('issues a 7200 s token and counts the fetch for the app', async () => {
    const token = await getJson(tokenPath);
    expect(token.expires_in).toBe(7200);
    expect(String(token.access_token).length).toBeGreaterThan(100);
    const counters = await getJson('/__emulator/counters');
    expect(counters.apps).toEqual({ [DEMO_APP_ID]: { token: 1, stableToken: 0, ticket: 0 } });
    expect((counters.endpoints as Record<string, number>)['/cgi-bin/token']).toBe(1);
  });

  it('keeps the previous token valid for 5 minutes after a re-fetch, then answers 40001', async () => {
    const first = await getJson(tokenPath);
    const second = await getJson(tokenPath);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await getJson(ticketPath(first.access_token))).errcode).toBe(0);
    await advance(299);
    expect((await getJson(ticketPath(first.access_token))).errcode).toBe(0);
    await advance(1);
    expect((await getJson(ticketPath(first.access_token))).errcode).toBe(40001);
    expect((await getJson(ticketPath(second.access_token))).errcode).toBe(0);
  });

  it('answers 42001 once a token is older than 7200 seconds', async () => {
    const token = await getJson(tokenPath);
    await advance(7200);
    expect((await getJson(ticketPath(token.access_token))).errcode).toBe(42001);
  });

  it('checks grant_type, appid and secret', async () => {
    expect(
      (await getJson(`/cgi-bin/token?grant_type=x&appid=${DEMO_APP_ID}&secret=${DEMO_APP_SECRET}`)).errcode,
    ).toBe(40002);
    expect(
      (await getJson(`/cgi-bin/token?grant_type=client_credential&appid=wx00&secret=${DEMO_APP_SECRET}`))
        .errcode,
    ).toBe(40013);
    expect(
      (await getJson(`/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP_ID}&secret=no`)).errcode,
    ).toBe(40125);
    expect((await getJson(`/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP_ID}`)).errcode).toBe(
      41004,
    );
  });
});

describe('POST /cgi-bin/stable_token', () => {
  const body = { grant_type: 'client_credential', appid: DEMO_APP_ID, secret: DEMO_APP_SECRET };

  it('returns the same token while it is valid and renews it 5 minutes before expiry', async () => {
    const first = await postJson('/cgi-bin/stable_token', body);
    const second = await postJson('/cgi-bin/stable_token', body);
    expect(second.access_token).toBe(first.access_token);
    await advance(7200 - 299);
    const renewed = await postJson('/cgi-bin/stable_token', body);
    expect(renewed.access_token).not.toBe(first.access_token);
    // The old one stays valid until its own expiry.
    expect((await getJson(ticketPath(first.access_token))).errcode).toBe(0);
    const counters = await getJson('/__emulator/counters');
    expect((counters.apps as Record<string, unknown>)[DEMO_APP_ID]).toEqual({
      token: 0,
      stableToken: 3,
      ticket: 1,
    });
  });

  it('invalidates the previous token on force_refresh, but not twice within 30 seconds', async () => {
    const first = await postJson('/cgi-bin/stable_token', body);
    await advance(31);
    const forced = await postJson('/cgi-bin/stable_token', { ...body, force_refresh: true });
    expect(forced.access_token).not.toBe(first.access_token);
    expect((await getJson(ticketPath(first.access_token))).errcode).toBe(40001);
    const tooSoon = await postJson('/cgi-bin/stable_token', { ...body, force_refresh: true });
    expect(tooSoon.access_token).toBe(forced.access_token);
  });

  it('is isolated from /cgi-bin/token tokens', async () => {
    const stable = await postJson('/cgi-bin/stable_token', body);
    await getJson(tokenPath);
    await getJson(tokenPath);
    await advance(301);
    expect((await getJson(ticketPath(stable.access_token))).errcode).toBe(0);
  });

  it('rejects a non-JSON body and a wrong secret', async () => {
    const response = await fetch(`${emulator.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: 'grant_type=x',
    });
    expect(((await response.json()) as Record<string, unknown>).errcode).toBe(40097);
    expect((await postJson('/cgi-bin/stable_token', { ...body, secret: 'bad' })).errcode).toBe(40125);
  });
});

describe('GET /cgi-bin/ticket/getticket', () => {
  it('returns one jsapi ticket per app while valid and a new one after 7200 seconds', async () => {
    const token = await getJson(tokenPath);
    const ticket = await getJson(ticketPath(token.access_token));
    expect(ticket).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect((await getJson(ticketPath(token.access_token))).ticket).toBe(ticket.ticket);
    await advance(7200);
    const fresh = await getJson(tokenPath);
    const next = await getJson(ticketPath(fresh.access_token));
    expect(next.ticket).not.toBe(ticket.ticket);
  });

  it('answers 40001 for an unknown token, 41001 for none and 40097 for another type', async () => {
    expect((await getJson(ticketPath('nope'))).errcode).toBe(40001);
    expect((await getJson('/cgi-bin/ticket/getticket?type=jsapi')).errcode).toBe(41001);
    const token = await getJson(tokenPath);
    expect(
      (await getJson(`/cgi-bin/ticket/getticket?access_token=${String(token.access_token)}&type=x`)).errcode,
    ).toBe(40097);
  });
});

describe('the API IP whitelist', () => {
  const register = (ipWhitelist?: string[]) =>
    postJson('/__emulator/apps', {
      appId: 'wx00000000000000aa',
      appSecret: 'whitelisted-app-secret-0123456789ab',
      oauthDomains: ['localhost'],
      jsDomains: ['localhost'],
      ...(ipWhitelist ? { ipWhitelist } : {}),
    });
  const stable = () =>
    postJson('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: 'wx00000000000000aa',
      secret: 'whitelisted-app-secret-0123456789ab',
    });
  const classic = () =>
    getJson(
      '/cgi-bin/token?grant_type=client_credential&appid=wx00000000000000aa&secret=whitelisted-app-secret-0123456789ab',
    );

  it('refuses a caller outside the whitelist with 40164 naming its address, on both token endpoints', async () => {
    await register(['203.0.113.7']);
    for (const answer of [await stable(), await classic()]) {
      expect(answer.errcode).toBe(40164);
      expect(answer.errmsg).toMatch(
        /^invalid ip 127\.0\.0\.1 ipv6 ::ffff:127\.0\.0\.1, not in whitelist, rid: /,
      );
      expect(answer).not.toHaveProperty('access_token');
    }
  });

  it('serves a caller on the whitelist, and every caller when there is none', async () => {
    await register(['203.0.113.7', '127.0.0.1']);
    expect(await stable()).toHaveProperty('access_token');
    await register();
    expect(await classic()).toHaveProperty('access_token');
  });

  it('checks the secret before the address (a wrong secret is 40125 from anywhere)', async () => {
    await register(['203.0.113.7']);
    const answer = await postJson('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: 'wx00000000000000aa',
      secret: 'not-the-secret',
    });
    expect(answer.errcode).toBe(40125);
  });

  it('refuses a whitelist that is not a list of addresses', async () => {
    const response = await fetch(`${emulator.url}/__emulator/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        appId: 'wx00000000000000aa',
        appSecret: 's',
        oauthDomains: [],
        jsDomains: [],
        ipWhitelist: '127.0.0.1',
      }),
    });
    expect(response.status).toBe(400);
  });
});
