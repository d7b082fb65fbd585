/**
 * `pnpm test:chaos` — real processes under faults (issue 12). Two api instances (this checkout's production bundle) on
 * one PostgreSQL schema and a PRIVATE redis-server (started here on a free port, stopped here; the shared Redis is
 * never touched) take a load of signed pay notifies while:
 *   1. their PostgreSQL connections are terminated (pg_terminate_backend of the pids whose application_name is this
 *      run's own — selected first, nobody else's), then PostgreSQL is unreachable for 4 s (the instances reach it
 *      through a TCP relay this run cuts and restores; the shared server itself is never touched),
 *   2. the private Redis is stopped and started again,
 *   3. one instance is killed with SIGKILL under load and started again.
 * The notifier behaves like WeChat: anything but a SUCCESS answer is sent again later. At the end it checks
 * no instance died unasked, each answered /readyz again within RECOVERY_LIMIT_MS of each fault, and the invariants
 * acked ⇒ stored ⇒ PAID once; PAID ⇒ audit row; refunded ≤ paid; and prints a table. Exit 1 on any violation.
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
import { DEMO, testEnv } from '../test/support/test-config';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ORDERS = 240;
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
  acked: boolean;
  sent: number;
}

function payNotify(order: Order): string {
  const fields: Record<string, string | number> = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: DEMO.appId,
    mch_id: DEMO.mchId,
    nonce_str: createNonce(),
    sign_type: 'HMAC-SHA256',
    result_code: 'SUCCESS',
    openid: 'oChaosOpenId000000000000001',
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
      acked: false,
      sent: 0,
    }));
    await withPg(async (client) => {
      const now = new Date().toISOString();
      for (const order of orders) {
        await client.query(
          `insert into "${schema}".orders (out_trade_no, openid, amount_fen, description, status, sign_scheme, ` +
            `client_ip, refunded_fen, created_at, updated_at) values ($1, 'oChaosOpenId000000000000001', $2, ` +
            `'chaos', 'PENDING', 'HMAC-SHA256', '127.0.0.1', 0, $3, $3)`,
          [order.outTradeNo, order.amountFen, now],
        );
      }
    });

    // The load: every order notified until acknowledged (WeChat retries), about a third of them twice more after.
    let loadDone = false;
    const load = (async () => {
      let next = 0;
      const queue = [...orders, ...orders.filter((_, i) => i % 3 === 0)];
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
    const acked = orders.filter((o) => o.acked);
    const ackedNotStored = acked.filter(
      (o) =>
        !(auditOf.get(o.outTradeNo) ?? []).some(
          (a) =>
            a.transaction_id === o.transactionId && (a.verdict === 'accepted' || a.verdict === 'duplicate'),
        ),
    ).length;
    const ackedNotPaid = acked.filter((o) => {
      const row = byOrder.get(o.outTradeNo);
      return !(row?.status === 'PAID' && row.transaction_id === o.transactionId);
    }).length;
    const paidTwice = orders.filter(
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
        orders: ORDERS,
        sent: stats.sent,
        acked: stats.acked,
        'refused/FAIL': stats.failed,
        '503': stats.answers503,
        unreachable: stats.unreachable,
        'audit rows': storedNotifies,
      },
    ]);
    const invariants = {
      'acked but not stored': ackedNotStored,
      'acked but not PAID with its transaction': ackedNotPaid,
      'orders accepted more than once': paidTwice,
      'PAID without an audit row': paidWithoutAudit,
      'refunded > paid': overRefunded,
      'orders never acked': ORDERS - acked.length,
      'unexpected process exits': unexpectedExits,
      'faults not recovered in time': slowRecovery,
    };
    console.log('Invariants (each must be 0)');
    console.table(Object.entries(invariants).map(([invariant, count]) => ({ invariant, count })));
    console.log(`PAID orders: ${paidRows.length} of ${ORDERS}; total ${elapsed()}`);
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
