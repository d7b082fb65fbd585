/**
 * Notify ingestion benchmark: valid v2 pay notifies per second through the real app (parse, constant-time
 * verify, checks, one SQLite transaction recording the notify and moving PENDING → PAID, XML reply after commit)
 * against bare Koa answering the same XML, in the same run, same process, same machine.
 *
 *   pnpm --filter @wxh5/api exec tsx bench/notify.ts [--seconds 10] [--connections 10]
 *
 * N orders are created up front and each request carries a DISTINCT valid notify for the next order, so every
 * request is a real first delivery (a transition), not a replay. If the run outlasts N, requests wrap around and
 * the rest are replays (the `duplicate` path); the summary says how many of each were recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildXml, buildXmlReply, createNonce, formatPayTime, signV2 } from '@wxh5/wechat-core';
import Koa from 'koa';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config';
import { createDeps } from '../src/create-deps';
import { readRawBody } from '../src/pay/read-raw-body';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  setupRequest?: (request: Record<string, unknown>) => Record<string, unknown>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 10);
const ORDERS = arg('orders', 40_000);
const CALLBACK = '/api/wechat/pay/callback';

const DEMO = {
  appId: 'wx8a4c5b1d2e3f6a70',
  appSecret: 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a',
  mchId: '1900000109',
  payKey: 'DemoPayKey0123456789abcdefABCDEF',
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** One autocannon run; `cursor` carries the rotation across runs so no notify is sent twice to the app. */
async function run(
  url: string,
  bodies: string[],
  seconds: number,
  cursor = { next: 0 },
): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: CALLBACK,
        headers: { 'content-type': 'text/xml' },
        setupRequest: (request) => {
          const body = bodies[cursor.next % bodies.length];
          cursor.next += 1;
          return { ...request, body };
        },
      },
    ],
  });
}

/** Throughput over all rounds; p50/p99 are the medians of the rounds' values. */
function combine(results: AutocannonResult[]): AutocannonResult {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const total = results.reduce((sum, r) => sum + r.requests.total, 0);
  const seconds = results.reduce((sum, r) => sum + r.duration, 0);
  return {
    requests: { average: total / seconds, total },
    latency: {
      p50: median(results.map((r) => r.latency.p50)),
      p99: median(results.map((r) => r.latency.p99)),
      average: median(results.map((r) => r.latency.average)),
    },
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
    duration: seconds,
  };
}

function describe(name: string, result: AutocannonResult): string {
  return `${name.padEnd(10)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   total ${result.requests.total}   non2xx ${result.non2xx}   errors ${result.errors + result.timeouts}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxh5-bench-'));
  try {
    // The app, with an on-disk SQLite database (WAL), as `pnpm start` runs it.
    const server = createServer();
    const url = await listen(server);
    const config = parseConfig({
      PUBLIC_BASE_URL: url,
      COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      WECHAT_APP_ID: DEMO.appId,
      WECHAT_APP_SECRET: DEMO.appSecret,
      WECHAT_MCH_ID: DEMO.mchId,
      WECHAT_PAY_KEY: DEMO.payKey,
      WECHAT_PAY_BASE_URL: 'http://127.0.0.1:9',
      PAY_SWEEP_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'silent',
    });
    const handle = await createDeps(config);
    const { db } = handle.deps;
    const now = new Date().toISOString();
    const bodies: string[] = [];
    for (let start = 0; start < ORDERS; start += 500) {
      const rows = [];
      for (let i = start; i < Math.min(ORDERS, start + 500); i += 1) {
        const outTradeNo = `BENCH${String(i).padStart(10, '0')}`;
        rows.push({
          out_trade_no: outTradeNo,
          openid: 'oBenchUser',
          amount_fen: 100 + (i % 1000),
          description: 'bench',
          status: 'PENDING',
          sign_type: 'HMAC-SHA256',
          client_ip: '127.0.0.1',
          prepay_id: null,
          prepay_expires_at: null,
          transaction_id: null,
          paid_at: null,
          refunded_fen: 0,
          created_at: now,
          updated_at: now,
        });
        const fields = {
          return_code: 'SUCCESS',
          return_msg: 'OK',
          appid: DEMO.appId,
          mch_id: DEMO.mchId,
          nonce_str: createNonce(),
          sign_type: 'HMAC-SHA256',
          result_code: 'SUCCESS',
          openid: 'oBenchUser',
          is_subscribe: 'N',
          trade_type: 'JSAPI',
          bank_type: 'OTHERS',
          total_fee: 100 + (i % 1000),
          fee_type: 'CNY',
          cash_fee: 100 + (i % 1000),
          transaction_id: `4200000001${String(i).padStart(18, '0')}`,
          out_trade_no: outTradeNo,
          time_end: formatPayTime(new Date()),
        };
        bodies.push(buildXml({ ...fields, sign: signV2(fields, DEMO.payKey, 'HMAC-SHA256') }));
      }
      await db.insertInto('orders').values(rows).execute();
    }
    const handler = createApp(handle.deps).callback();
    server.on('request', (req, res) => {
      void handler(req, res);
    });

    // Bare Koa: read the body, answer the same SUCCESS XML. No verification, no database.
    const bare = new Koa();
    const reply = buildXmlReply('SUCCESS');
    bare.use(async (ctx) => {
      await readRawBody(ctx.req);
      ctx.type = 'text/xml';
      ctx.body = reply;
    });
    const bareHandler = bare.callback();
    const bareServer = createServer((req, res) => {
      void bareHandler(req, res);
    });
    const bareUrl = await listen(bareServer);

    // Alternate short slices of both targets so that load from elsewhere on a shared machine hits both alike.
    const rounds = Math.max(1, Math.round(SECONDS / 2));
    const slice = Math.max(1, Math.round(SECONDS / rounds));
    console.log(
      `notify bench: ${rounds} x ${slice}s per target (alternating), ${CONNECTIONS} connections, ${ORDERS} distinct valid notifies prepared`,
    );
    const bareRounds: AutocannonResult[] = [];
    const appRounds: AutocannonResult[] = [];
    const appBodies = { next: 0 };
    for (let round = 0; round < rounds; round += 1) {
      bareRounds.push(await run(bareUrl, bodies, slice));
      appRounds.push(await run(url, bodies, slice, appBodies));
    }
    const bareResult = combine(bareRounds);
    const appResult = combine(appRounds);

    const verdicts = await db
      .selectFrom('pay_notifications')
      .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('verdict')
      .execute();
    const paid = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'PAID')
      .executeTakeFirstOrThrow();

    console.log(describe('bare koa', bareResult));
    console.log(describe('notify', appResult));
    console.log(
      `verdicts recorded: ${verdicts.map((v) => `${v.verdict}=${v.n}`).join(', ')}; orders PAID: ${paid.n}`,
    );
    const ratio = appResult.requests.average / bareResult.requests.average;
    console.log(`ratio notify / bare koa: ${ratio.toFixed(2)} (target ≥ 0.50)`);

    await close(bareServer);
    await close(server);
    await handle.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
