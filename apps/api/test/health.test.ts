import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, startEmulator, startTcpRelay, startTestApi, type TestEmulator } from './support';

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe.each(['sqlite', 'postgres'] as const)('health on %s', (database) => {
  it('answers /healthz with ok', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url, database });
    try {
      const response = await createHttpClient(api.url).get('/healthz');
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ code: 0, data: { status: 'ok' } });
    } finally {
      await api.close();
    }
  });

  it('reports the database (and Redis when configured) as ready', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url, database, redis: true });
    try {
      const response = await createHttpClient(api.url).get('/readyz');
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({
        code: 0,
        data: { status: 'ok', checks: { database: 'ok', redis: 'ok' } },
      });
    } finally {
      await api.close();
    }
  });
});

describe('readiness failures', () => {
  it('answers 503 not_ready naming the database when it stops answering', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url });
    try {
      await api.deps.db.destroy();
      const response = await createHttpClient(api.url).get('/readyz');
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({ error: 'not_ready' });
      expect(response.json<{ message: string }>().message).toContain('database');
    } finally {
      await api.close();
    }
  });

  it('answers 503 not_ready when a configured Redis is gone', async () => {
    // Redis reached through a TCP relay the test can cut.
    const relay = await startTcpRelay(6379);
    const port = relay.port;
    const api = await startTestApi({
      emulatorUrl: emulator.url,
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    try {
      expect((await createHttpClient(api.url).get('/readyz')).status).toBe(200);
      relay.cut();
      const response = await createHttpClient(api.url).get('/readyz');
      expect(response.status).toBe(503);
      expect(response.json<{ message: string }>().message).toContain('redis');
    } finally {
      await api.close();
      await relay.close();
    }
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url });
    try {
      const response = await createHttpClient(api.url).get('/nope');
      expect(response.status).toBe(404);
      expect(response.json()).toMatchObject({ code: 40400, error: 'not_found' });
    } finally {
      await api.close();
    }
  });
});

describe('methods', () => {
  it.each([
    ['GET', '/api/wechat/logout', 'POST'],
    ['POST', '/api/wechat/jssdk', 'HEAD, GET'],
    ['DELETE', '/healthz', 'HEAD, GET'],
    ['PROPFIND', '/api/wechat/getUserInfo', 'HEAD, GET'],
  ])('answers %s %s with a 405 envelope naming the allowed methods', async (method, path, allow) => {
    const api = await startTestApi({ emulatorUrl: emulator.url });
    try {
      const response = await createHttpClient(api.url).request(method, path);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.json()).toMatchObject({ code: 40500, error: 'method_not_allowed' });
    } finally {
      await api.close();
    }
  });
});
