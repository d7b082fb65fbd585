/**
 * `pnpm test:chaos` — real processes under faults (issue 12). Two api instances (this checkout's production bundle) on
 * one PostgreSQL schema and a PRIVATE redis-server (started here on a free port, stopped here; the shared Redis is
 * never touched) take a load of signed pay notifies while:
 *   1. their PostgreSQL connections are terminated (pg_terminate_backend of the pids whose application_name is this
 *      run's own — selected first, nobody else's), then PostgreSQL is unreachable for 4 s (the instances reach it
 *      through a TCP relay this run cuts and restores; the shared server itself is never touched),
 *   2. the private Redis is stopped and started again,
 *   3. one instance is killed with SIGKILL under load and started again.
 * The notifier behaves like WeChat: anything but a SUCCESS answer is sent again later. Meanwhile an admin refunds
 * REFUND_ORDERS orders (placed through payWallet by a logged-in user and paid at the emulator) through both instances:
 * per order two refunds of 60 % race on different instances (at most one may be made) and then the rest is refunded;
 * each request carries its own Idempotency-Key and is retried with the same key and body after a 503 or a lost
 * answer, as a real admin would. At the end it checks no instance died unasked, each answered /readyz again within
 * RECOVERY_LIMIT_MS of each fault, and the invariants acked ⇒ stored ⇒ PAID once; PAID ⇒ audit row; refunded ≤
 * paid; refunds reserved ≤ paid; one refund per key; a 201 ⇒ its refund row; refunded_fen = the SUCCESS refunds once
 * settled; and prints a table. Exit 1 on any violation.
 * Bounded: a couple of minutes at most.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startWechatEmulator } from '@wxh5/wechat-emulator';
import { buildXml, createNonce, formatPayTime, signV2 } from '@wxh5/wechat-core';
import pg from 'pg';
import { startTcpRelay } from '../test/support/tcp-relay';
import { createHttpClient, type HttpClient, type TestResponse } from '../test/support/http-client';
import { DEMO, TEST_ADMIN_TOKEN, testEnv } from '../test/support/test-config';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ORDERS = 240;
/** Orders of the admin's refund load (placed through payWallet; they are notified like the others too). */
const REFUND_ORDERS = 24;
const ADMIN_WORKERS = 2;
/** An admin request that has not got a final answer by then counts as given up. */
const ADMIN_PATIENCE_MS = 60_000;
const CONCURRENCY = 8;
const RECOVERY_LIMIT_MS = 20_000;
const OVERALL_LIMIT_MS = 150_000;

const run = randomBytes(4).toString('hex');
const schema = `chaos_${run}`;
const applicationName = `wxh5-chaos-${run}`;
const logDir = mkdtempSync(path.join(tmpdir(), 'wxh5-chaos-'));
const apiDir = path.resolve(import.meta.dirname, '..');
/** The production bundle of this checkout, built once per run (a restart is then a plain `node main.js`). */
const distDir = path.join(apiDir, 'node_modules', '.cache', 'wxh5-chaos-dist');
const startedAt = Date.now();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
const say = (message: string) => console.log(`[chaos ${elapsed()}] ${message}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function withPg<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: POSTGRES_URL,
    application_name: `${applicationName}-admin`,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ---- the private Redis -------------------------------------------------------------------------------------------

interface PrivateRedis {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function privateRedis(port: number): PrivateRedis {
  let child: ChildProcess | undefined;
  return {
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: ['ignore', openSync(path.join(logDir, 'redis.log'), 'a'), 'inherit'],
        },
      );
      // Wait until it accepts connections.
      for (let i = 0; i < 100; i += 1) {
        if (await canConnect(port)) return;
        await sleep(50);
      }
      throw new Error(`the private redis-server on ${port} did not start`);
    },
    async stop() {
      const current = child;
      child = undefined;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      await exited;
    },
  };
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---- the api instances -------------------------------------------------------------------------------------------

interface Instance {
  name: string;
  url: string;
  start(): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  /** Exits nobody asked for. */
  unexpectedExits: number;
}

function apiInstance(name: string, port: number, env: Record<string, string | undefined>): Instance {
  let child: ChildProcess | undefined;
  let expectingExit = false;
  const instance: Instance = {
    name,
    url: `http://127.0.0.1:${port}`,
    unexpectedExits: 0,
    async start() {
      expectingExit = false;
      const log = openSync(path.join(logDir, `${name}.log`), 'a');
      const started = spawn(process.execPath, [path.join(distDir, 'main.js')], {
        cwd: apiDir,
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', log, log],
      });
      child = started;
      started.once('exit', (code, signal) => {
        if (!expectingExit) {
          instance.unexpectedExits += 1;
          say(`!! ${name} exited unasked (code ${code}, signal ${signal}); see ${logDir}/${name}.log`);
        }
      });
      await waitReady(instance, 60_000);
    },
    async kill9() {
      const current = child;
      if (!current) return;
      expectingExit = true;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
    async stop() {
      const current = child;
      if (!current || current.exitCode !== null) return;
      expectingExit = true;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000).then(() => current.kill('SIGKILL'))]);
    },
  };
  return instance;
}

async function isReady(instance: Instance): Promise<boolean> {
  try {
    const response = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Milliseconds until /readyz answers 200 (throws past `limitMs`). */
async function waitReady(instance: Instance, limitMs: number): Promise<number> {
  const from = Date.now();
  while (Date.now() - from < limitMs) {
    if (await isReady(instance)) return Date.now() - from;
    await sleep(100);
  }
  throw new Error(`${instance.name} did not answer /readyz within ${limitMs} ms`);
}

// ---- the notifier (WeChat's role) --------------------------------------------------------------------------------

interface Order {
  outTradeNo: string;
  amountFen: number;
  transactionId: string;
  /** The payer (the notify's openid). */
  openId: string;
  acked: boolean;
  sent: number;
}

const CHAOS_OPENID = 'oChaosOpenId000000000000001';

function payNotify(order: Order): string {
  const fields: Record<string, string | number> = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: DEMO.appId,
    mch_id: DEMO.mchId,
    nonce_str: createNonce(),
    sign_type: 'HMAC-SHA256',
    result_code: 'SUCCESS',
    openid: order.openId,
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    total_fee: order.amountFen,
    fee_type: 'CNY',
    cash_fee: order.amountFen,
    transaction_id: order.transactionId,
    out_trade_no: order.outTradeNo,
    time_end: formatPayTime(new Date()),
  };
  return buildXml({ ...fields, sign: signV2(fields, DEMO.payKey, 'HMAC-SHA256') });
}

const stats = { sent: 0, acked: 0, failed: 0, unreachable: 0, answers503: 0 };

async function sendNotify(instance: Instance, order: Order): Promise<boolean> {
  stats.sent += 1;
  order.sent += 1;
  try {
    const response = await fetch(`${instance.url}/api/wechat/pay/callback`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: payNotify(order),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status === 503) stats.answers503 += 1;
    if (response.status === 200 && text.includes('<return_code><![CDATA[SUCCESS]]>')) {
      stats.acked += 1;
      return true;
    }
    stats.failed += 1;
    return false;
  } catch {
    stats.unreachable += 1;
    return false;
  }
}

// ---- the admin (refunds) -----------------------------------------------------------------------------------------

const refundStats = { requests: 0, made: 0, refused: 0, retries: 0, unexpected: 0, gaveUp: 0 };

interface RefundAsk {
  key: string;
  amountFen: number;
  /** 201: the refund made for this key; 409 refund_exceeds_paid: refused; undefined: no final answer. */
  outcome?: { made: true; outRefundNo: string } | { made: false };
}

/**
 * One admin refund, as a person at the console does it: the same Idempotency-Key and body again after a 503, a 5xx
 * or no answer at all, until a final answer (201, or 409 refund_exceeds_paid). Each try may land on either instance.
 */
async function refundUntilAnswered(instances: Instance[], first: number, order: Order, ask: RefundAsk) {
  const from = Date.now();
  for (let attempt = 0; Date.now() - from < ADMIN_PATIENCE_MS; attempt += 1) {
    if (attempt > 0) refundStats.retries += 1;
    refundStats.requests += 1;
    const instance = instances[(first + attempt) % instances.length]!;
    let response: Response | undefined;
    try {
      response = await fetch(`${instance.url}/api/admin/orders/${order.outTradeNo}/refund`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': ask.key,
        },
        body: JSON.stringify({ amountFen: ask.amountFen, reason: 'chaos' }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      response = undefined;
    }
    if (response) {
      const body = (await response.json().catch(() => ({}))) as {
        error?: string;
        data?: { outRefundNo?: string };
      };
      if (response.status === 201 && body.data?.outRefundNo) {
        refundStats.made += 1;
        ask.outcome = { made: true, outRefundNo: body.data.outRefundNo };
        return;
      }
      if (response.status === 409 && body.error === 'refund_exceeds_paid') {
        refundStats.refused += 1;
        ask.outcome = { made: false };
        return;
      }
      // Anything else but "try again later" is a wrong answer to a valid request.
      if (response.status < 500) {
        refundStats.unexpected += 1;
        say(`!! refund of ${order.outTradeNo} answered ${response.status} ${body.error ?? ''}`);
        return;
      }
    }
    await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)));
  }
  refundStats.gaveUp += 1;
}

interface RefundPlan {
  order: Order;
  /** Two refunds of 60 % sent at once to different instances (at most one can be made), then the rest. */
  racing: [RefundAsk, RefundAsk];
  rest: RefundAsk;
}

function planRefunds(order: Order): RefundPlan {
  const share = Math.ceil(order.amountFen * 0.6);
  const key = (name: string) => `chaos-${order.outTradeNo}-${name}`;
  return {
    order,
    racing: [
      { key: key('a'), amountFen: share },
      { key: key('b'), amountFen: share },
    ],
    rest: { key: key('rest'), amountFen: order.amountFen - share },
  };
}

/** Log a user in through the emulator's OAuth (auto-consent), as a browser does; the client keeps the session. */
async function loginThroughEmulator(instance: Instance, emulatorUrl: string, userId: string) {
  await fetch(`${emulatorUrl}/__emulator/oauth/auto`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, decision: 'allow' }),
  });
  const browser = createHttpClient(instance.url);
  const expect302 = (step: string, response: TestResponse) => {
    if (response.status !== 302 || !response.location) {
      throw new Error(`login ${step} answered ${response.status}: ${response.text}`);
    }
    return response.location;
  };
  const callback = encodeURIComponent(`${instance.url}/`);
  const authorize = expect302(
    'redirect',
    await browser.get(`/api/wechat/redirect?callback=${callback}&scope=snsapi_base`),
  );
  const back = expect302('authorize', await browser.get(authorize));
  expect302('getOpenId', await browser.get(back));
  const me = await browser.get('/api/wechat/getUserInfo');
  if (me.status !== 200) throw new Error(`getUserInfo after login answered ${me.status}: ${me.text}`);
  return { browser, openId: me.json<{ data: { openId: string } }>().data.openId };
}

/** A paid order of `buyer`: payWallet on the api (the emulator learns it), then paid at the emulator. */
async function placePaidOrder(
  buyer: { browser: HttpClient; openId: string },
  instance: Instance,
  emulatorUrl: string,
  amountFen: number,
): Promise<Order> {
  const placed = await buyer.browser.post(`${instance.url}/api/wechat/pay/payWallet`, {
    json: { productId: 'tip', amountFen },
  });
  if (placed.status !== 200) throw new Error(`payWallet answered ${placed.status}: ${placed.text}`);
  const { outTradeNo } = placed.json<{ data: { outTradeNo: string } }>().data;
  const paid = await fetch(`${emulatorUrl}/__emulator/orders/${outTradeNo}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!paid.ok) throw new Error(`the emulator did not pay ${outTradeNo}: ${await paid.text()}`);
  const { transactionId } = (await paid.json()) as { transactionId: string };
  return { outTradeNo, amountFen, transactionId, openId: buyer.openId, acked: false, sent: 0 };
}

// ---- main --------------------------------------------------------------------------------------------------------

async function buildDist(): Promise<void> {
  const build = spawn(process.execPath, ['scripts/build.mjs', '--outdir', distDir], {
    cwd: apiDir,
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
  if (code !== 0) throw new Error(`the api build failed (exit ${code})`);
}

async function main(): Promise<number> {
  await buildDist();
  const emulator = await startWechatEmulator({ port: 0, host: '127.0.0.1', notifyTimeScale: 0.001 });
  const redis = privateRedis(await freePort());
  await redis.start();
  await withPg((client) => client.query(`create schema "${schema}"`));
  const pgRelay = await startTcpRelay(5432);
  const databaseUrl =
    `postgres://postgres@127.0.0.1:${pgRelay.port}/test?application_name=${applicationName}` +
    `&options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const ports = [await freePort(), await freePort()];
  const instances = ports.map((port, i) => {
    const env = testEnv({
      emulatorUrl: emulator.url,
      publicBaseUrl: `http://127.0.0.1:${port}`,
      databaseUrl,
      env: {
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        PAY_SWEEP_INTERVAL_SECONDS: '2',
        DATABASE_STATEMENT_TIMEOUT_MS: '3000',
        DATABASE_CONNECT_TIMEOUT_MS: '2000',
        STARTUP_RETRY_SECONDS: '20',
        LOG_LEVEL: 'warn',
      },
    });
    return apiInstance(i === 0 ? 'api-a' : 'api-b', port, env);
  });
  const faults: { fault: string; detail: string; recoveredMs: number[] }[] = [];
  let failed = false;
  try {
    say(`schema ${schema}, private redis :${redis.port}, logs in ${logDir}`);
    // The first instance migrates the schema; the second starts on it.
    for (const instance of instances) await instance.start();
    say('both instances ready');

    // PENDING orders, as payWallet would have written them.
    const orders: Order[] = Array.from({ length: ORDERS }, (_, i) => ({
      outTradeNo: `CH${run}${String(i).padStart(5, '0')}`,
      amountFen: 100 + i,
      transactionId: `4200${run}${String(i).padStart(10, '0')}`.slice(0, 28),
      openId: CHAOS_OPENID,
      acked: false,
      sent: 0,
    }));
    await withPg(async (client) => {
      const now = new Date().toISOString();
      for (const order of orders) {
        await client.query(
          `insert into "${schema}".orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, ` +
            `client_ip, refunded_fen, created_at, updated_at) values ($1, '${CHAOS_OPENID}', $2, ` +
            `'chaos', 'PENDING', 'HMAC-SHA256', '127.0.0.1', 0, $3, $3)`,
          [order.outTradeNo, order.amountFen, now],
        );
      }
    });

    // The refund load's orders: a user logged in through OAuth places them with payWallet (so the emulator knows
    // them) and pays at the emulator; they are notified like the others (the emulator's own notify comes too).
    const buyer = await loginThroughEmulator(instances[0]!, emulator.url, 'chaos-buyer');
    const refundOrders: Order[] = [];
    for (let i = 0; i < REFUND_ORDERS; i += 1) {
      refundOrders.push(await placePaidOrder(buyer, instances[i % 2]!, emulator.url, 1000 + 37 * i));
    }
    const plans = refundOrders.map(planRefunds);
    say(`${REFUND_ORDERS} orders placed and paid at the emulator for the refund load`);

    // The load: every order notified until acknowledged (WeChat retries), about a third of them twice more after.
    let loadDone = false;
    const load = (async () => {
      let next = 0;
      const all = [...refundOrders, ...orders];
      const queue = [...all, ...all.filter((_, i) => i % 3 === 0)];
      const worker = async () => {
        for (;;) {
          const order = queue[next];
          next += 1;
          if (!order) return;
          // Paced so the faults land while notifies are flowing.
          await sleep(60);
          for (let attempt = 0; ; attempt += 1) {
            const instance = instances[(next + attempt) % instances.length]!;
            if (await sendNotify(instance, order)) {
              order.acked = true;
              break;
            }
            await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      loadDone = true;
    })();

    // The admin's load, through the faults: each order refunded once its notify was acknowledged (PAID).
    const refunds = (async () => {
      await sleep(1500);
      let next = 0;
      const admin = async (worker: number) => {
        for (;;) {
          const plan = plans[next];
          next += 1;
          if (!plan) return;
          const from = Date.now();
          while (!plan.order.acked && Date.now() - from < ADMIN_PATIENCE_MS) await sleep(100);
          await Promise.all(
            plan.racing.map((ask, i) => refundUntilAnswered(instances, worker + i, plan.order, ask)),
          );
          await refundUntilAnswered(instances, worker, plan.order, plan.rest);
          // Paced so the refunds are spread over the faults.
          await sleep(600);
        }
      };
      await Promise.all(Array.from({ length: ADMIN_WORKERS }, (_, worker) => admin(worker)));
    })();

    const recover = async () =>
      Promise.all(instances.map((instance) => waitReady(instance, RECOVERY_LIMIT_MS)));

    await sleep(2000);
    // 1. PostgreSQL connections dropped: this run's backends only.
    let terminated = 0;
    for (let round = 0; round < 3; round += 1) {
      terminated += await withPg(async (client) => {
        const own = await client.query<{ pid: number }>(
          'select pid from pg_stat_activity where application_name = $1',
          [applicationName],
        );
        for (const { pid } of own.rows) await client.query('select pg_terminate_backend($1)', [pid]);
        return own.rows.length;
      });
      await sleep(700);
    }
    faults.push({
      fault: 'pg_terminate_backend ×3',
      detail: `${terminated} backends`,
      recoveredMs: await recover(),
    });
    say(`terminated ${terminated} PostgreSQL backends of ${applicationName}`);

    // 1b. PostgreSQL unreachable for 4 s: notifies must be answered FAIL (never SUCCESS) meanwhile.
    const failedBefore = stats.failed + stats.answers503;
    pgRelay.cut();
    say('PostgreSQL relay cut');
    await sleep(4000);
    await pgRelay.restore();
    const refusedDuring = stats.failed + stats.answers503 - failedBefore;
    faults.push({
      fault: 'PostgreSQL unreachable 4 s',
      detail: `${refusedDuring} notifies refused meanwhile`,
      recoveredMs: await recover(),
    });
    say('PostgreSQL relay restored');

    // 2. Redis stopped for 3 s, then started again.
    await redis.stop();
    say('private redis stopped');
    await sleep(3000);
    await redis.start();
    faults.push({ fault: 'redis stop 3 s + start', detail: `:${redis.port}`, recoveredMs: await recover() });
    say('private redis started again');

    // 3. kill -9 of one instance under load, then started again.
    await sleep(1000);
    await instances[0]!.kill9();
    say('api-a killed (SIGKILL)');
    await sleep(1500);
    const restartFrom = Date.now();
    await instances[0]!.start();
    const restartMs = Date.now() - restartFrom;
    faults.push({
      fault: 'kill -9 api-a + restart',
      detail: `restart ${restartMs} ms`,
      recoveredMs: await recover(),
    });
    say('api-a back');

    while (!loadDone) {
      if (Date.now() - startedAt > OVERALL_LIMIT_MS) throw new Error('the load did not finish in time');
      await sleep(200);
    }
    await load;
    say('load done');
    await refunds;
    say(
      `refunds done: ${refundStats.made} made, ${refundStats.refused} refused, ${refundStats.retries} retries`,
    );
    // The refunds settle by their notifies (the emulator delivers them) or the sweep (every 2 s).
    const settleFrom = Date.now();
    while (Date.now() - settleFrom < RECOVERY_LIMIT_MS) {
      const processing = await withPg(
        async (client) =>
          (await client.query(`select 1 from "${schema}".refunds where status = 'PROCESSING' limit 1`))
            .rowCount,
      );
      if (!processing) break;
      await sleep(500);
    }
    // A sweep pass or two over whatever the faults left (none should be needed for acked orders).
    await sleep(3000);

    // ---- invariants ----
    interface OrderFacts {
      out_trade_no: string;
      status: string;
      transaction_id: string | null;
      amount_fen: number;
      refunded_fen: number;
    }
    interface RefundFacts {
      out_trade_no: string;
      out_refund_no: string;
      idempotency_key: string | null;
      amount_fen: number;
      status: string;
    }
    interface AuditFacts {
      out_trade_no: string;
      verdict: string;
      transaction_id: string | null;
    }
    const check = await withPg(async (client) => ({
      statuses: (
        await client.query<OrderFacts>(
          `select out_trade_no, status, transaction_id, amount_fen, refunded_fen from "${schema}".orders`,
        )
      ).rows,
      refundRows: (
        await client.query<RefundFacts>(
          `select out_trade_no, out_refund_no, idempotency_key, amount_fen, status from "${schema}".refunds`,
        )
      ).rows,
      audit: (
        await client.query<AuditFacts>(
          `select out_trade_no, verdict, transaction_id from "${schema}".pay_notifications where kind = 'pay'`,
        )
      ).rows,
    }));
    const byOrder = new Map(check.statuses.map((row) => [row.out_trade_no, row]));
    const auditOf = new Map<string, AuditFacts[]>();
    for (const row of check.audit)
      auditOf.set(row.out_trade_no, [...(auditOf.get(row.out_trade_no) ?? []), row]);
    const everyOrder = [...orders, ...refundOrders];
    const acked = everyOrder.filter((o) => o.acked);
    const ackedNotStored = acked.filter(
      (o) =>
        !(auditOf.get(o.outTradeNo) ?? []).some(
          (a) =>
            a.transaction_id === o.transactionId && (a.verdict === 'accepted' || a.verdict === 'duplicate'),
        ),
    ).length;
    const ackedNotPaid = acked.filter((o) => {
      const row = byOrder.get(o.outTradeNo);
      // A refunded order was paid first: REFUNDED keeps the transaction.
      const paid = row?.status === 'PAID' || row?.status === 'REFUNDED';
      return !(paid && row.transaction_id === o.transactionId);
    }).length;
    const paidTwice = everyOrder.filter(
      (o) => (auditOf.get(o.outTradeNo) ?? []).filter((a) => a.verdict === 'accepted').length > 1,
    ).length;
    const paidRows = check.statuses.filter((row) => row.status === 'PAID' || row.status === 'REFUNDED');
    const paidWithoutAudit = paidRows.filter(
      (row) =>
        !(auditOf.get(row.out_trade_no) ?? []).some((a) =>
          ['accepted', 'paid_after_close', 'reconciled', 'reconciled_paid_after_close'].includes(a.verdict),
        ),
    ).length;
    const overRefunded = check.statuses.filter(
      (row) => Number(row.refunded_fen) > Number(row.amount_fen),
    ).length;
    const refundsOf = new Map<string, RefundFacts[]>();
    for (const row of check.refundRows)
      refundsOf.set(row.out_trade_no, [...(refundsOf.get(row.out_trade_no) ?? []), row]);
    const sumOf = (rows: RefundFacts[], statuses: string[]) =>
      rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + Number(r.amount_fen), 0);
    const reservedOverPaid = check.statuses.filter(
      (row) =>
        sumOf(refundsOf.get(row.out_trade_no) ?? [], ['PROCESSING', 'SUCCESS']) > Number(row.amount_fen),
    ).length;
    const refundedNotSuccessSum = check.statuses.filter(
      (row) => Number(row.refunded_fen) !== sumOf(refundsOf.get(row.out_trade_no) ?? [], ['SUCCESS']),
    ).length;
    const keys = new Map<string, number>();
    for (const row of check.refundRows) {
      if (row.idempotency_key === null) continue;
      const key = `${row.out_trade_no} ${row.idempotency_key}`;
      keys.set(key, (keys.get(key) ?? 0) + 1);
    }
    const keysWithTwoRefunds = [...keys.values()].filter((n) => n > 1).length;
    const asks = plans.flatMap((plan) => [...plan.racing, plan.rest].map((ask) => ({ plan, ask })));
    const madeWithoutRow = asks.filter(({ plan, ask }) => {
      const outcome = ask.outcome;
      if (outcome?.made !== true) return false;
      return !(refundsOf.get(plan.order.outTradeNo) ?? []).some(
        (r) => r.idempotency_key === ask.key && r.out_refund_no === outcome.outRefundNo,
      );
    }).length;
    const bothRacersMade = plans.filter((plan) => plan.racing.every((ask) => ask.outcome?.made)).length;
    const unsettled = check.refundRows.filter((row) => row.status === 'PROCESSING').length;
    const refundedOrders = check.statuses.filter((row) => row.status === 'REFUNDED').length;
    const storedNotifies = check.audit.length;
    const unexpectedExits = instances.reduce((sum, i) => sum + i.unexpectedExits, 0);
    const slowRecovery = faults.filter((f) => f.recoveredMs.some((ms) => ms > RECOVERY_LIMIT_MS)).length;

    console.log('\nFaults injected');
    console.table(
      faults.map((f) => ({
        fault: f.fault,
        detail: f.detail,
        'ready again (ms, a / b)': f.recoveredMs.join(' / '),
      })),
    );
    console.log('Notifies');
    console.table([
      {
        orders: ORDERS + REFUND_ORDERS,
        sent: stats.sent,
        acked: stats.acked,
        'refused/FAIL': stats.failed,
        '503': stats.answers503,
        unreachable: stats.unreachable,
        'audit rows': storedNotifies,
      },
    ]);
    console.log('Refunds (the admin)');
    console.table([
      {
        orders: REFUND_ORDERS,
        requests: refundStats.requests,
        made: refundStats.made,
        'refused (exceeds paid)': refundStats.refused,
        'retried (same key)': refundStats.retries,
        'refund rows': check.refundRows.length,
        'orders REFUNDED': refundedOrders,
      },
    ]);
    const invariants = {
      'acked but not stored': ackedNotStored,
      'acked but not PAID with its transaction': ackedNotPaid,
      'orders accepted more than once': paidTwice,
      'PAID without an audit row': paidWithoutAudit,
      'refunded > paid': overRefunded,
      'refunds reserved > paid': reservedOverPaid,
      'both racing refunds made': bothRacersMade,
      'refund keys with more than one refund': keysWithTwoRefunds,
      'refund 201 without its row': madeWithoutRow,
      'refunded_fen ≠ SUCCESS refunds': refundedNotSuccessSum,
      'refunds still PROCESSING': unsettled,
      'refund requests answered wrongly': refundStats.unexpected,
      'refund requests given up': refundStats.gaveUp,
      'orders never acked': ORDERS + REFUND_ORDERS - acked.length,
      'unexpected process exits': unexpectedExits,
      'faults not recovered in time': slowRecovery,
    };
    console.log('Invariants (each must be 0)');
    console.table(Object.entries(invariants).map(([invariant, count]) => ({ invariant, count })));
    console.log(
      `PAID or REFUNDED orders: ${paidRows.length} of ${ORDERS + REFUND_ORDERS}; total ${elapsed()}`,
    );
    failed = Object.values(invariants).some((count) => count !== 0);
  } catch (err) {
    failed = true;
    console.error('chaos run failed:', err);
  } finally {
    for (const instance of instances) await instance.stop();
    await redis.stop();
    await pgRelay.close();
    await withPg((client) => client.query(`drop schema if exists "${schema}" cascade`)).catch(
      () => undefined,
    );
    await emulator.close();
  }
  if (failed) console.error(`chaos: FAILED (logs in ${logDir})`);
  else console.log('chaos: all invariants hold');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
