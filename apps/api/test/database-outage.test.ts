import { Writable } from 'node:stream';
import { ROUTES } from '@wxh5/contracts';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { buildPayNotify, insertOrder, pollUntil, postXml, sessionCookie, testTradeNo } from './pay-kit';
import {
  TEST_POSTGRES_URL,
  createHttpClient,
  randomSuffix,
  startTcpRelay,
  startTestApi,
  useFileEmulator,
  type TestApi,
} from './support';

const file = useFileEmulator();
const OPENID = 'oOutageOpenId0000000000000001';

/** A logger whose lines the test can read. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as { level: number; msg: string });
      }
      callback();
    },
  });
  return { logger: createLogger('warn', destination), lines };
}

/** One session per api, made on its first request (while the database answers) and reused during the outage. */
const cookies = new WeakMap<TestApi, Promise<string>>();

async function listOrders(api: TestApi) {
  let cookie = cookies.get(api);
  if (!cookie) {
    cookie = sessionCookie(api, OPENID);
    cookies.set(api, cookie);
  }
  return createHttpClient(api.url).get(ROUTES.orders, { headers: { cookie: await cookie } });
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, application_name: 'wxh5-rel-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('a PostgreSQL outage', () => {
  it('survives pg_terminate_backend of all its connections and answers again by itself', async () => {
    const applicationName = `wxh5-rel-${randomSuffix()}`;
    const { logger, lines } = capturedLogger();
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      database: 'postgres',
      env: { DATABASE_URL: `${TEST_POSTGRES_URL}?application_name=${applicationName}` },
      logger,
    });
    try {
      await insertOrder(api.deps.db, {
        outTradeNo: testTradeNo('PG'),
        openId: OPENID,
        amountFen: 1,
        status: 'PAID',
      });
      // Several requests at once so the pool holds several idle connections.
      const before = await Promise.all([listOrders(api), listOrders(api), listOrders(api)]);
      expect(before.map((response) => response.status)).toEqual([200, 200, 200]);

      // Find our own backends first, then terminate exactly those (never one of another process).
      const terminated = await withAdminClient(async (client) => {
        const { rows } = await client.query<{ pid: number }>(
          'select pid from pg_stat_activity where application_name = $1',
          [applicationName],
        );
        for (const { pid } of rows) await client.query('select pg_terminate_backend($1)', [pid]);
        return rows.length;
      });
      expect(terminated).toBeGreaterThan(0);
      // The idle connections learn of it asynchronously; the loss is reported, not thrown.
      const logged = await pollUntil(
        () => Promise.resolve(lines.filter((line) => line.msg.includes('database connection lost')).length),
        (count) => count > 0,
      );
      expect(logged).toBeGreaterThan(0);

      const after = await pollUntil(
        () => listOrders(api),
        (response) => response.status === 200,
      );
      expect(after.status).toBe(200);
      expect(after.json<{ data: { orders: unknown[] } }>().data.orders).toHaveLength(1);
    } finally {
      await api.close();
    }
  }, 30_000);

  it('answers 503 database_unavailable and XML FAIL while PostgreSQL is unreachable, then recovers', async () => {
    const relay = await startTcpRelay(5432);
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      database: 'postgres',
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${relay.port}/test?application_name=wxh5-rel-relay`,
      },
      logger: capturedLogger().logger,
    });
    try {
      const outTradeNo = testTradeNo('PGR');
      await insertOrder(api.deps.db, { outTradeNo, openId: OPENID, amountFen: 1 });
      expect((await listOrders(api)).status).toBe(200);

      relay.cut();
      const during = await listOrders(api);
      expect(during.status).toBe(503);
      expect(during.json()).toMatchObject({ error: 'database_unavailable' });
      expect(during.headers.get('retry-after')).toBe('5');
      const notify = await postXml(
        `${api.url}${ROUTES.payCallback}`,
        buildPayNotify({ outTradeNo, totalFee: 1 }),
      );
      expect(notify.returnCode).toBe('FAIL');

      await relay.restore();
      const after = await pollUntil(
        () => listOrders(api),
        (response) => response.status === 200,
      );
      expect(after.status).toBe(200);
      const retried = await postXml(
        `${api.url}${ROUTES.payCallback}`,
        buildPayNotify({ outTradeNo, totalFee: 1 }),
      );
      expect(retried.returnCode).toBe('SUCCESS');
    } finally {
      await api.close();
      await relay.close();
    }
  }, 30_000);

  it('bounds a statement that cannot finish and answers 503 instead of hanging', async () => {
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      database: 'postgres',
      env: { DATABASE_STATEMENT_TIMEOUT_MS: '300' },
      logger: capturedLogger().logger,
    });
    const schema = (
      await api.deps.db
        .selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s'))
        .executeTakeFirstOrThrow()
    ).s;
    const blocker = new pg.Client({
      connectionString: TEST_POSTGRES_URL,
      application_name: 'wxh5-rel-blocker',
    });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`lock table "${schema}".orders in access exclusive mode`);
      const response = await listOrders(api);
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({ error: 'database_unavailable' });
      await blocker.query('rollback');
      expect((await listOrders(api)).status).toBe(200);
    } finally {
      await blocker.end();
      await api.close();
    }
  }, 30_000);
});
