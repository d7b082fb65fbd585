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

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const tokenPath = `/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP_ID}&secret=${DEMO_APP_SECRET}`;

describe('control API', () => {
  it('registers a user and answers its stable per-app openid', async () => {
    expect((await post('/__emulator/users', { userId: 'dave', nickname: 'Dave 赵' })).status).toBe(201);
    const response = await fetch(`${emulator.url}/__emulator/users/dave/openid?appId=${DEMO_APP_ID}`);
    const { openid } = (await response.json()) as { openid: string };
    expect(openid).toBe(openidFor(DEMO_APP_ID, 'dave'));
    expect(openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(openidFor('wx1111111111111111', 'dave')).not.toBe(openid);
    expect((await fetch(`${emulator.url}/__emulator/users/nobody/openid?appId=${DEMO_APP_ID}`)).status).toBe(
      404,
    );
  });

  it('rejects malformed control input with 400', async () => {
    expect((await post('/__emulator/apps', { appId: 'bad id' })).status).toBe(400);
    expect((await post('/__emulator/merchants', { mchId: '1', key: 'short', appIds: [] })).status).toBe(400);
    expect(
      (await post('/__emulator/faults', { endpoint: '/cgi-bin/token', kind: 'explode', count: 1 })).status,
    ).toBe(400);
    expect((await post('/__emulator/clock', { advanceSeconds: -5 })).status).toBe(400);
    const notJson = await fetch(`${emulator.url}/__emulator/users`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('injects http500, busy and token_invalid faults for the next N calls only', async () => {
    await post('/__emulator/faults', { endpoint: '/cgi-bin/token', kind: 'http500', count: 1 });
    await post('/__emulator/faults', { endpoint: '/cgi-bin/token', kind: 'busy', count: 1 });
    await post('/__emulator/faults', { endpoint: '/cgi-bin/token', kind: 'token_invalid', count: 1 });
    expect((await fetch(`${emulator.url}${tokenPath}`)).status).toBe(500);
    expect(await (await fetch(`${emulator.url}${tokenPath}`)).json()).toEqual({
      errcode: -1,
      errmsg: 'system error',
    });
    expect(((await (await fetch(`${emulator.url}${tokenPath}`)).json()) as { errcode: number }).errcode).toBe(
      40001,
    );
    const ok = (await (await fetch(`${emulator.url}${tokenPath}`)).json()) as Record<string, unknown>;
    expect(ok.expires_in).toBe(7200);
  });

  it('holds a timeout fault past the client timeout and releases it on close', async () => {
    await post('/__emulator/faults', { endpoint: '/cgi-bin/token', kind: 'timeout', count: 1 });
    const signal = AbortSignal.timeout(300);
    await expect(fetch(`${emulator.url}${tokenPath}`, { signal })).rejects.toThrow();
    // close() must not wait out the 30 s hold: the test's own 5 s timeout fails it if it does.
    await emulator.close();
  });

  it('resets to the seeded state', async () => {
    await post('/__emulator/users', { userId: 'erin', nickname: 'Erin' });
    await fetch(`${emulator.url}${tokenPath}`);
    expect((await post('/__emulator/reset', {})).status).toBe(200);
    expect((await fetch(`${emulator.url}/__emulator/users/erin/openid?appId=${DEMO_APP_ID}`)).status).toBe(
      404,
    );
    const counters = (await (await fetch(`${emulator.url}/__emulator/counters`)).json()) as Record<
      string,
      unknown
    >;
    expect(counters).toEqual({ apps: {}, endpoints: {} });
  });

  it('serves a local SVG avatar for each test user', async () => {
    const response = await fetch(`${emulator.url}/__emulator/avatars/alice/132`);
    expect(response.headers.get('content-type')).toContain('image/svg+xml');
    expect(await response.text()).toContain('>A</text>');
  });
});

describe('home page', () => {
  it('lists the seeded app, merchant and users at / and /__emulator/', async () => {
    for (const path of ['/', '/__emulator/']) {
      const response = await fetch(`${emulator.url}${path}`);
      expect(response.headers.get('content-type')).toContain('text/html');
      const html = await response.text();
      expect(html).toContain(DEMO_APP_ID);
      expect(html).toContain('1900000109');
      expect(html).toContain('Carol 张');
      expect(html).not.toContain('DemoPayKey');
    }
  });
});
