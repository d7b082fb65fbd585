import { ROUTES } from '@wxh5/contracts';
import { describe, expect, it } from 'vitest';
import { createBoundedStore } from '../src/shared/create-bounded-store';
import { createCache } from '../src/shared/create-cache';
import { createHttpClient, startTestApi, useFileEmulator } from './support';

const file = useFileEmulator();

describe('the in-process cache', () => {
  it('stays within its byte bound however many OAuth-state-sized entries are written', async () => {
    const maxBytes = 2 * 1024 * 1024;
    const cache = createCache({ namespace: 'bound', onError: () => undefined, maxBytes });
    const state = 'x'.repeat(4500);
    for (let i = 0; i < 20_000; i += 1) await cache.set(`state:${i}`, state, 10 * 60 * 1000);
    const store = cache.store as { size: number; calculatedSize: number };
    // Each entry costs ≥ 9,000 bytes as a JS string: at most ~233 of the 20,000 can remain.
    expect(store.calculatedSize).toBeLessThanOrEqual(maxBytes);
    expect(store.size).toBeLessThan(250);
    // The newest entries are the ones kept.
    expect(await cache.get('state:19999')).toBe(state);
    expect(await cache.get('state:0')).toBeUndefined();
    await cache.disconnect();
  });

  it('drops an expired entry nobody reads again', () => {
    let now = 1_000_000;
    const store = createBoundedStore({ maxBytes: 1024 * 1024, now: () => now });
    store.set('a', 'short-lived', 1000);
    store.set('b', 'long-lived', 60_000);
    now += 2000;
    store.purgeStale();
    expect(store.size).toBe(1);
    expect(store.has('a')).toBe(false);
    expect(store.get('b')).toBe('long-lived');
  });
});

describe('GET /api/wechat/redirect', () => {
  it('answers 429 with Retry-After once a client exceeds its per-minute allowance, and only that client', async () => {
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      env: { RATE_LIMIT_REDIRECT_PER_MINUTE: '5', TRUST_PROXY: 'true' },
    });
    try {
      const path = `${ROUTES.redirect}?callback=${encodeURIComponent(`${api.url}/`)}&scope=snsapi_base`;
      const as = (ip: string) => createHttpClient(api.url).get(path, { headers: { 'x-forwarded-for': ip } });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await as('203.0.113.7')).status);
      expect(statuses).toEqual([302, 302, 302, 302, 302, 429, 429]);
      const refused = await as('203.0.113.7');
      expect(refused.json()).toMatchObject({ error: 'rate_limited' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await as('198.51.100.9')).status).toBe(302);
    } finally {
      await api.close();
    }
  });
});
