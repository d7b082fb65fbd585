/**
 * Notify ingestion benchmark: valid v2 pay notifies per second through the real app (parse, constant-time
 * verify, checks, one SQLite transaction recording the notify and moving PENDING → PAID, XML reply after commit)
 * against bare Koa reading the same body and answering the same XML, in the same run, process and machine.
 *
 *   pnpm --filter @wxh5/api exec tsx bench/notify.ts [--seconds 10] [--connections 10]
 *   pnpm --filter @wxh5/api bench --only notify          (the same, as a scenario of bench/run.ts)
 *
 * N orders are created up front and each request carries a DISTINCT valid notify for the next order, so every
 * request is a real first delivery (a transition), not a replay. If a run outlasts N, requests wrap around and
 * the rest are replays (the `duplicate` path); the summary says how many of each were recorded. Both targets are
 * driven in alternating slices so that load from elsewhere on a shared machine hits both alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { buildXml, buildXmlReply, createNonce, formatPayTime, signV2 } from '@wxh5/wechat-core';
import Koa from 'koa';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config';
import { createDeps } from '../src/create-deps';
import { readRawBody } from '../src/pay/read-raw-body';
import type { BenchOptions, BenchScenario, LoadResult, ScenarioReport } from './run';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
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

const CALLBACK = '/api/wechat/pay/callback';
const DEFAULT_ORDERS = 40_000;

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

interface Measured extends AutocannonResult {
  /** Process CPU (user + system) during the run, µs: server and autocannon together, same client cost both sides. */
  cpuMicros: number;
}

/** One autocannon run; `cursor` carries the rotation across runs so no notify is sent twice to the app. */
async function drive(
  url: string,
  bodies: string[],
  options: BenchOptions,
  cursor = { next: 0 },
): Promise<Measured> {
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
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
  const cpu = process.cpuUsage(cpuBefore);
  return { ...result, cpuMicros: cpu.user + cpu.system };
}

/** Throughput over all rounds; p50/p99 are the medians of the rounds' values; CPU per request over all rounds. */
function combine(results: Measured[]): LoadResult {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const total = results.reduce((sum, r) => sum + r.requests.total, 0);
  const seconds = results.reduce((sum, r) => sum + r.duration, 0);
  return {
    requestsPerSecond: total / seconds,
    p50Ms: median(results.map((r) => r.latency.p50)),
    p99Ms: median(results.map((r) => r.latency.p99)),
    total,
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    cpuMicrosPerRequest: results.reduce((sum, r) => sum + r.cpuMicros, 0) / Math.max(1, total),
  };
}

export interface NotifyBenchReport extends ScenarioReport {
  /** pay_notifications verdict → count, and how many orders ended PAID. */
  verdicts: Record<string, number>;
  paidOrders: number;
}

export async function runNotifyBench(
  options: BenchOptions,
  orders = DEFAULT_ORDERS,
): Promise<NotifyBenchReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxh5-bench-'));
  const server = createServer();
  const bareServer = createServer();
  try {
    // The app, with an on-disk SQLite database (WAL), as `pnpm start` runs it.
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
    try {
      const { db } = handle.deps;
      const now = new Date().toISOString();
      const bodies: string[] = [];
      for (let start = 0; start < orders; start += 500) {
        const rows = [];
        for (let i = start; i < Math.min(orders, start + 500); i += 1) {
          const outTradeNo = `BENCH${String(i).padStart(10, '0')}`;
          const amountFen = 100 + (i % 1000);
          rows.push({
            out_trade_no: outTradeNo,
            openid: 'oBenchUser',
            amount_fen: amountFen,
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
            total_fee: amountFen,
            fee_type: 'CNY',
            cash_fee: amountFen,
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
      bareServer.on('request', (req, res) => {
        void bareHandler(req, res);
      });
      const bareUrl = await listen(bareServer);

      const rounds = Math.max(1, Math.round(options.seconds / 2));
      const slice = { ...options, seconds: Math.max(1, Math.round(options.seconds / rounds)) };
      const bareRounds: Measured[] = [];
      const appRounds: Measured[] = [];
      const appCursor = { next: 0 };
      for (let round = 0; round < rounds; round += 1) {
        bareRounds.push(await drive(bareUrl, bodies, slice));
        appRounds.push(await drive(url, bodies, slice, appCursor));
      }
      const app = combine(appRounds);
      const bareKoa = combine(bareRounds);

      const verdictRows = await db
        .selectFrom('pay_notifications')
        .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('verdict')
        .execute();
      const paid = await db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'PAID')
        .executeTakeFirstOrThrow();
      const verdicts = Object.fromEntries(verdictRows.map((row) => [row.verdict, Number(row.n)]));
      const ratio = app.requestsPerSecond / bareKoa.requestsPerSecond;
      return {
        name: 'notify',
        app,
        bareKoa,
        ratio,
        verdicts,
        paidOrders: Number(paid.n),
        targets: [
          { description: 'req/s ≥ 0.5 × bare Koa', met: ratio >= 0.5 },
          { description: 'no errors, every answer 2xx', met: app.errors === 0 && app.non2xx === 0 },
          {
            description: 'every answered notify recorded, each order paid once',
            // autocannon counts the answers received within each slice; the few still in flight at a slice's end are
            // recorded too, hence ≥.
            met:
              (verdicts['accepted'] ?? 0) + (verdicts['duplicate'] ?? 0) >= app.total &&
              Number(paid.n) === (verdicts['accepted'] ?? 0),
          },
        ],
      };
    } finally {
      await handle.close();
    }
  } finally {
    if (bareServer.listening) await close(bareServer);
    if (server.listening) await close(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const notifyScenario: BenchScenario = {
  name: 'notify',
  description:
    'POST /api/wechat/pay/callback, distinct valid notifies, SQLite file (WAL) vs bare Koa reading the body',
  run: (options) => runNotifyBench(options),
};

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function describe(name: string, result: LoadResult): string {
  return `${name.padEnd(9)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${String(result.p50Ms).padStart(3)} ms   p99 ${String(result.p99Ms).padStart(3)} ms   ${result.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs CPU/req   ${result.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors`;
}

async function main(): Promise<void> {
  const options = { seconds: arg('seconds', 10), connections: arg('connections', 10) };
  const orders = arg('orders', DEFAULT_ORDERS);
  console.log(
    `notify bench: ${options.seconds} s per target in alternating slices, ${options.connections} connections, ${orders} distinct notifies`,
  );
  const report = await runNotifyBench(options, orders);
  console.log(describe('notify', report.app));
  console.log(describe('bare Koa', report.bareKoa));
  console.log(`ratio     ${report.ratio.toFixed(3)} of bare Koa (req/s)`);
  console.log(
    `CPU ratio ${(report.bareKoa.cpuMicrosPerRequest / report.app.cpuMicrosPerRequest).toFixed(3)} (bare Koa CPU/req ÷ notify CPU/req)`,
  );
  console.log(`verdicts: ${JSON.stringify(report.verdicts)}; orders PAID: ${report.paidOrders}`);
  console.log(
    `load average at the end: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
  for (const target of report.targets)
    console.log(`[${target.met ? 'met' : 'MISSED'}] ${target.description}`);
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
