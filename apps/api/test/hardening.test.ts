import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROUTES } from '@wxh5/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, insertOrder, orderRow, sessionCookie, testTradeNo } from './pay-kit';
import { createHttpClient, startTestApi, useFileEmulator } from './support';

const file = useFileEmulator();
const OPENID = 'oHardeningOpenId00000000000001';

/** Credentials that are not the published demo ones (an https PUBLIC_BASE_URL refuses those). */
const NON_DEMO = {
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_APP_SECRET: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  WECHAT_MCH_ID: '1234567890',
  WECHAT_PAY_KEY: 'NotTheDemoKey0123456789abcdefXYZ',
  // A production-shaped set-up refuses the demo's products.
  SEED_DEMO_PRODUCTS: 'false',
};

const h5Dir = mkdtempSync(path.join(tmpdir(), 'wxh5-h5-'));
writeFileSync(path.join(h5Dir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
afterAll(() => rmSync(h5Dir, { recursive: true, force: true }));

describe('security headers', () => {
  it('sends nosniff, no framing, a referrer policy and no-store on user data; no HSTS on http', async () => {
    const api = await startTestApi({ emulatorUrl: file.emulator.url });
    try {
      const cookie = await sessionCookie(api, OPENID);
      const orders = await createHttpClient(api.url).get(ROUTES.orders, { headers: { cookie } });
      expect(orders.status).toBe(200);
      expect(orders.headers.get('x-content-type-options')).toBe('nosniff');
      expect(orders.headers.get('x-frame-options')).toBe('DENY');
      expect(orders.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(orders.headers.get('cache-control')).toBe('no-store');
      expect(orders.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(orders.headers.get('strict-transport-security')).toBeNull();
      // An error envelope too.
      const refused = await createHttpClient(api.url).get(ROUTES.orders);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      expect(refused.headers.get('cache-control')).toBe('no-store');
    } finally {
      await api.close();
    }
  });

  it('gives the H5 page a CSP that allows the JS-SDK and the bridge script host, and nothing else', async () => {
    const bridge = `${file.emulator.url}/jsbridge.js`;
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      env: { H5_DIST_DIR: h5Dir, WECHAT_BRIDGE_SCRIPT_URL: bridge },
    });
    try {
      const page = await createHttpClient(api.url).get('/');
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1]?.split(' ');
      expect(scriptSrc).toEqual([
        "'self'",
        'https://res.wx.qq.com',
        'https://res2.wx.qq.com',
        file.emulator.url,
      ]);
      expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toBe(`'self' ${file.emulator.url}`);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await api.close();
    }
  });

  it('sends HSTS when the public URL is https', async () => {
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      env: { PUBLIC_BASE_URL: 'https://m.example.com', ...NON_DEMO },
    });
    try {
      const health = await createHttpClient(api.url).get(ROUTES.healthz);
      expect(health.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}$/);
    } finally {
      await api.close();
    }
  });
});

describe('the client IP behind a proxy', () => {
  it('is the proxy-appended X-Forwarded-For entry, and a forged or overlong value never reaches the database', async () => {
    const api = await startTestApi({ emulatorUrl: file.emulator.url, env: { TRUST_PROXY: 'true' } });
    try {
      const cookie = await sessionCookie(api, file.aliceOpenId);
      const pay = (xff: string) =>
        createHttpClient(api.url).post(ROUTES.payWallet, {
          headers: { cookie, 'x-forwarded-for': xff },
          json: { productId: 'tip', amountFen: 1 },
        });
      // The client wrote 6.6.6.6; the one proxy in front appended the address it saw.
      const spoofed = await pay('6.6.6.6, 203.0.113.7');
      expect(spoofed.status).toBe(200);
      const spoofedRow = await orderRow(
        api.deps.db,
        spoofed.json<{ data: { outTradeNo: string } }>().data.outTradeNo,
      );
      expect(spoofedRow?.client_ip).toBe('203.0.113.7');

      const overlong = await pay(`1.2.3.4, ${'9'.repeat(5000)}`);
      expect(overlong.status).toBe(200);
      const overlongRow = await orderRow(
        api.deps.db,
        overlong.json<{ data: { outTradeNo: string } }>().data.outTradeNo,
      );
      expect(overlongRow?.client_ip).toBe('127.0.0.1');
    } finally {
      await api.close();
    }
  });

  it('takes the entry TRUST_PROXY_HOPS from the right', async () => {
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      env: { TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2', RATE_LIMIT_REDIRECT_PER_MINUTE: '1' },
    });
    try {
      const path = `${ROUTES.redirect}?callback=${encodeURIComponent(`${api.url}/`)}`;
      const as = (xff: string) =>
        createHttpClient(api.url).get(path, { headers: { 'x-forwarded-for': xff } });
      expect((await as('6.6.6.6, 203.0.113.7, 10.0.0.2')).status).toBe(302);
      // Same client (203.0.113.7) behind the same two proxies, whatever it writes on the left: limited.
      expect((await as('7.7.7.7, 203.0.113.7, 10.0.0.2')).status).toBe(429);
      expect((await as('203.0.113.8, 10.0.0.2')).status).toBe(302);
    } finally {
      await api.close();
    }
  });
});

describe('bad bodies and cross-site requests', () => {
  it('answers a body whose gzip encoding is broken with 400, not 500', async () => {
    const api = await startTestApi({ emulatorUrl: file.emulator.url });
    try {
      const cookie = await sessionCookie(api, OPENID);
      const response = await fetch(`${api.url}${ROUTES.payWallet}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: Buffer.from('this is not gzip at all'),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    } finally {
      await api.close();
    }
  });

  it('refuses a cross-site POST to close an order or log out, and accepts the app’s own', async () => {
    const api = await startTestApi({ emulatorUrl: file.emulator.url });
    try {
      const cookie = await sessionCookie(api, OPENID);
      const outTradeNo = testTradeNo('XS');
      await insertOrder(api.deps.db, { outTradeNo, openId: OPENID, amountFen: 1, status: 'PAID' });
      const client = createHttpClient(api.url);
      const close = ROUTES.closeOrder(outTradeNo);
      const evil = await client.post(close, { headers: { cookie, origin: 'https://evil.example' } });
      expect(evil.status).toBe(403);
      expect(evil.json()).toMatchObject({ error: 'forbidden' });
      const form = await client.post(close, {
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1',
      });
      expect(form.status).toBe(403);
      const logout = await client.post(ROUTES.logout, { headers: { cookie, origin: 'null' } });
      expect(logout.status).toBe(403);
      // The app itself (its own Origin): past the check (a PAID order cannot be closed: 409).
      const own = await client.post(close, { headers: { cookie, origin: api.url } });
      expect(own.status).toBe(409);
      expect((await client.post(ROUTES.logout, { headers: { cookie, origin: api.url } })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('refuses a refund reason over 80 UTF-8 bytes before anything is stored', async () => {
    const api = await startTestApi({ emulatorUrl: file.emulator.url });
    try {
      const outTradeNo = testTradeNo('RB');
      await insertOrder(api.deps.db, { outTradeNo, openId: OPENID, amountFen: 100, status: 'PAID' });
      const response = await createHttpClient(api.url).post(ROUTES.adminRefund(outTradeNo), {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        json: { amountFen: 10, reason: '退'.repeat(27) },
      });
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid_request' });
      const refunds = await api.deps.db
        .selectFrom('refunds')
        .selectAll()
        .where('out_trade_no', '=', outTradeNo)
        .execute();
      expect(refunds).toHaveLength(0);
    } finally {
      await api.close();
    }
  });
});
