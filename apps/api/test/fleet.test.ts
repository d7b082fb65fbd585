import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentialCacheKeys, type CachedCredential } from '../src/wechat/token-manager';
import {
  DEMO,
  createHttpClient,
  randomSuffix,
  startEmulator,
  startTcpRelay,
  startTestApi,
  type TestApi,
  type TestEmulator,
} from './support';

/**
 * Three api instances sharing one Redis (a random key namespace per test) and one emulator: the fleet must fetch
 * the global token and ticket once, refresh a refused token once, and degrade to 502/503 — never 500.
 */
const INSTANCES = 3;
const CALLS = 300;
const keys = credentialCacheKeys(DEMO.appId);

let emulator: TestEmulator;
let fleet: TestApi[];

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await emulator.control('POST', '/__emulator/reset');
  const cacheNamespace = `fleet-${randomSuffix()}`;
  fleet = [];
  for (let i = 0; i < INSTANCES; i += 1) {
    // The fleet shares PUBLIC_BASE_URL's role: each instance allows the others' origins for the JS-SDK url.
    fleet.push(await startTestApi({ emulatorUrl: emulator.url, redis: true, cacheNamespace }));
  }
});
afterEach(async () => {
  await fleet[0]?.deps.cache.clear();
  await Promise.all(fleet.map((api) => api.close()));
});

interface JssdkData {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** `CALLS` concurrent JS-SDK requests spread round-robin over the fleet. */
async function burst() {
  return Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const api = fleet[i % INSTANCES]!;
      const page = `${api.url}/page/${i}`;
      const response = await createHttpClient(api.url).get(
        `/api/wechat/jssdk?url=${encodeURIComponent(page)}`,
      );
      return { page, response };
    }),
  );
}

async function counters() {
  const all = await emulator.counters();
  return {
    stableToken: all.apps[DEMO.appId]?.stableToken ?? 0,
    tokenCalls: all.endpoints['/cgi-bin/stable_token'] ?? 0,
    ticket: all.apps[DEMO.appId]?.ticket ?? 0,
    ticketCalls: all.endpoints['/cgi-bin/ticket/getticket'] ?? 0,
  };
}

async function cachedTicket(): Promise<string> {
  const ticket = await fleet[0]!.deps.cache.get<CachedCredential>(keys.jsapiTicket);
  expect(ticket).toBeDefined();
  return ticket!.value;
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

describe('a fleet of three instances sharing Redis', { timeout: 30_000 }, () => {
  it('fetches the token once and the ticket once for 300 concurrent cold requests', async () => {
    const results = await burst();
    expect(results.map((r) => r.response.status)).toEqual(Array(CALLS).fill(200));
    expect(await counters()).toEqual({ stableToken: 1, tokenCalls: 1, ticket: 1, ticketCalls: 1 });
    const ticket = await cachedTicket();
    for (const { page, response } of results) {
      const { data } = response.json<{ data: JssdkData }>();
      expect(data.signature).toBe(
        sha1(`jsapi_ticket=${ticket}&noncestr=${data.nonceStr}&timestamp=${data.timestamp}&url=${page}`),
      );
    }
  });

  it('refreshes a refused token exactly once across the fleet', async () => {
    expect((await burst()).every((r) => r.response.status === 200)).toBe(true);
    // The cached ticket is gone (as if it expired) and WeChat refuses the token on the next ticket fetch.
    await fleet[1]!.deps.cache.delete(keys.jsapiTicket);
    await emulator.fault('/cgi-bin/ticket/getticket', 'token_invalid', 1);

    const results = await burst();
    expect(results.map((r) => r.response.status)).toEqual(Array(CALLS).fill(200));
    // Cold burst: 1 token + 1 ticket. Second burst: 1 refused ticket call, 1 token refresh, 1 retried ticket call.
    expect(await counters()).toEqual({ stableToken: 2, tokenCalls: 2, ticket: 2, ticketCalls: 3 });
  });

  it.each(['http500', 'busy'] as const)(
    'answers 503 with bounded retries (never 500) while the token endpoint fails with %s',
    async (kind) => {
      await emulator.fault('/cgi-bin/stable_token', kind, 1000);
      const results = await burst();
      const statuses = new Set(results.map((r) => r.response.status));
      expect([...statuses]).toEqual([503]);
      expect(results[0]!.response.json()).toMatchObject({ error: 'wechat_unavailable' });
      // One flight of three attempts gives up and marks the failure; the other instances (and later requests)
      // see the mark under the lock and answer 503 at once instead of retrying again.
      expect((await counters()).tokenCalls).toBe(3);
    },
  );

  it('answers 503 when WeChat times out, within the bounded retries', async () => {
    const impatient: TestApi[] = [];
    const cacheNamespace = `fleet-${randomSuffix()}`;
    try {
      for (let i = 0; i < INSTANCES; i += 1) {
        impatient.push(
          await startTestApi({
            emulatorUrl: emulator.url,
            redis: true,
            cacheNamespace,
            env: { WECHAT_TIMEOUT_MS: '200' },
          }),
        );
      }
      await emulator.fault('/cgi-bin/stable_token', 'timeout', 1000);
      const results = await Promise.all(
        impatient.map((api) =>
          createHttpClient(api.url).get(`/api/wechat/jssdk?url=${encodeURIComponent(api.url)}`),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([503, 503, 503]);
      expect((await counters()).tokenCalls).toBe(3);
    } finally {
      await Promise.all(impatient.map((api) => api.close()));
    }
  });
});

describe('Redis going away', { timeout: 30_000 }, () => {
  it('answers 503 (not 500, and without hanging) for the JS-SDK and login while Redis is unreachable', async () => {
    const relay = await startTcpRelay(6379);
    const api = await startTestApi({
      emulatorUrl: emulator.url,
      env: { REDIS_URL: `redis://127.0.0.1:${relay.port}` },
    });
    try {
      const jssdkPath = `/api/wechat/jssdk?url=${encodeURIComponent(`${api.url}/`)}`;
      expect((await createHttpClient(api.url).get(jssdkPath)).status).toBe(200);
      await api.deps.cache.delete(keys.jsapiTicket);
      relay.cut();
      const jssdk = await createHttpClient(api.url).get(jssdkPath);
      expect(jssdk.status).toBe(503);
      expect(jssdk.json()).toMatchObject({ error: 'not_ready' });
      const login = await createHttpClient(api.url).get(
        `/api/wechat/redirect?callback=${encodeURIComponent(`${api.url}/`)}`,
      );
      expect(login.status).toBe(503);
      expect(login.location).toBeUndefined();
    } finally {
      await api.close();
      await relay.close();
    }
  });
});
