/**
 * The api's benchmark (`pnpm bench` → `pnpm --filter @wxh5/api bench` → this file). One command, one table:
 *
 *   pnpm --filter @wxh5/api bench [--quick] [--seconds 6] [--connections 50] [--sizes 100000,2000000]
 *                                 [--databases sqlite,postgres] [--only jssdk,notify,notify-v3,orders,v3-crypto]
 *
 * Every figure is a ratio measured in the same run, on the same machine, the sides driven in rotating rounds
 * (harness.ts): to a CEILING (a server doing nothing useful: Koa answering JSON, or reading the notify and
 * answering SUCCESS) and to a PEER (the least a correct server must do, without our framework: peers.ts).
 *
 * - jssdk: `GET /api/wechat/jssdk` (warm ticket) vs Koa + @koa/router signing the same config; ceiling bare Koa.
 * - notify: distinct valid v2 notifies (parse, verify, one transition, audit row, reply after commit) on SQLite
 *   and PostgreSQL at each table size, vs Koa + wechat-core + the same write, vs the `tenpay` middleware + the same
 *   write; ceiling Koa reading the body.
 * - notify-v3: distinct valid WeChat Pay API v3 notifies (RSA verify, AES-256-GCM decrypt, one transition, audit
 *   row, JSON reply after commit) to the app configured for v3 (public-key mode, the emulator's demo keys), on each
 *   database and size, vs Koa + wechat-core's v3 verifier and decrypt + the same write; ceiling Koa reading the body.
 * - v3-crypto: wechat-core's bench/v3-signing.bench.ts in a child: the v3 client's signing cost per request
 *   (signV3Request) vs a bare crypto.sign with the same pre-parsed key, and a notify's verify + decrypt.
 * - orders: `GET /api/wechat/pay/orders?limit=20` for a user with 100 orders and one with 100,000, at each table
 *   size and database; ceiling bare Koa.
 *
 * Databases of 100k and 2M orders are seeded once (bench/seed.ts) and kept (SQLite under the OS temp dir,
 * PostgreSQL as databases `wxh5_bench_<size>_<migrations>` on the local server) until the migrations change; each
 * run works on a copy (SQLite) or removes its own notify orders (PostgreSQL). `--quick`: 3 s per side, 100k only.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startWechatEmulator } from '@wxh5/wechat-emulator';
import Keygrip from 'keygrip';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../src/store/database';
import { NOTIFY_USER, notifyBody, notifyOrderRow, v3NotifyRequest, type V3NotifyRequest } from './bench-data';
import {
  DEMO_ENV,
  DEMO_V3_ENV,
  appLaunch,
  compare,
  startApp,
  startPeer,
  type AutocannonRequest,
  type BenchOptions,
  type LoadResult,
  type ServerHandle,
  type Side,
} from './harness';
import { BIG_USER, SMALL_USER, ensureBenchUsers, seedOrders, seededSize } from './seed';

const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PG_BASE_URL = 'postgres://postgres@127.0.0.1:5432/';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

type Dialect = 'sqlite' | 'postgres';

interface BenchDatabase {
  label: string;
  dialect: Dialect;
  size: number;
  url: string;
}

/** A short hash of the migrations the app applies: a seeded database is reused only with the same ones. */
async function migrationsFingerprint(): Promise<string> {
  const handle = openDatabase('sqlite::memory:');
  try {
    await migrateToLatest(handle.db);
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      handle.db,
    );
    return createHash('sha256')
      .update(rows.map((r) => r.name).join(','))
      .digest('hex')
      .slice(0, 8);
  } finally {
    await handle.close();
  }
}

const sizeLabel = (size: number) => (size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`);

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The seeded database for (dialect, size): reused when it matches, (re)built otherwise; SQLite copied into runDir. */
async function prepareDatabase(dialect: Dialect, size: number, runDir: string, fingerprint: string) {
  const label = `${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${sizeLabel(size)}`;
  let url: string;
  if (dialect === 'sqlite') {
    const cacheDir = path.join(tmpdir(), 'wxh5-bench');
    mkdirSync(cacheDir, { recursive: true });
    const cached = path.join(cacheDir, `orders-${size}-${fingerprint}.sqlite`);
    if (!existsSync(cached) || (await seededSize(`sqlite:${cached}`)) !== size) {
      rmSync(cached, { force: true });
      const { seconds } = await seedOrders(`sqlite:${cached}`, size);
      console.log(`  seeded ${label} in ${seconds.toFixed(1)} s (${cached})`);
    }
    const copy = path.join(runDir, `orders-${size}.sqlite`);
    copyFileSync(cached, copy);
    url = `sqlite:${copy}`;
  } else {
    const name = `wxh5_bench_${size}_${fingerprint}`;
    url = PG_BASE_URL + name;
    const exists = await withAdmin(
      async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1,
    );
    if (!exists || (await seededSize(url)) !== size) {
      await withAdmin(async (c) => {
        await c.query(`drop database if exists "${name}"`);
        await c.query(`create database "${name}"`);
      });
      const { seconds } = await seedOrders(url, size);
      console.log(`  seeded ${label} in ${seconds.toFixed(1)} s (database ${name})`);
    }
  }
  await ensureBenchUsers(url);
  return { label, dialect, size, url } satisfies BenchDatabase;
}

/** The tags of the v3 notify orders (sign scheme RSA); the others are v2 (HMAC-SHA256). */
const V3_TAGS = new Set(['v3app', 'v3koa']);

/** Remove the notify orders (and their audit rows) an earlier run left, then insert `count` for each tag. */
async function resetNotifyOrders(database: BenchDatabase, tags: string[], count: number): Promise<void> {
  const handle = openDatabase(database.url);
  try {
    await handle.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('pay_notifications')
        .where('out_trade_no', 'in', (eb) =>
          eb.selectFrom('orders').select('out_trade_no').where('openid', '=', NOTIFY_USER),
        )
        .execute();
      await trx.deleteFrom('orders').where('openid', '=', NOTIFY_USER).execute();
      const now = new Date().toISOString();
      for (const tag of tags) {
        for (let start = 0; start < count; start += 1000) {
          const rows = [];
          for (let i = start; i < Math.min(count, start + 1000); i += 1)
            rows.push(notifyOrderRow(tag, i, now, V3_TAGS.has(tag) ? 'RSA' : 'HMAC-SHA256'));
          await trx.insertInto('orders').values(rows).execute();
        }
      }
    });
  } finally {
    await handle.close();
  }
}

/** Verdicts recorded for the notify orders of `tag`, and how many of them are PAID. */
async function notifyStats(database: BenchDatabase, tag: string) {
  const handle = openDatabase(database.url);
  try {
    const prefix = `N${tag}`;
    const verdicts = await handle.db
      .selectFrom('pay_notifications')
      .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
      .where('out_trade_no', '>=', prefix)
      .where('out_trade_no', '<', `${prefix}~`)
      .groupBy('verdict')
      .execute();
    const paid = await handle.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('openid', '=', NOTIFY_USER)
      .where('out_trade_no', '>=', prefix)
      .where('out_trade_no', '<', `${prefix}~`)
      .where('status', '=', 'PAID')
      .executeTakeFirstOrThrow();
    return {
      verdicts: Object.fromEntries(verdicts.map((v) => [v.verdict, Number(v.n)])),
      paid: Number(paid.n),
    };
  } finally {
    await handle.close();
  }
}

function notifySide(name: string, server: ServerHandle, tag: string, count: number): Side {
  const bodies = Array.from({ length: count }, (_, i) => notifyBody(tag, i));
  const cursor = { next: 0 };
  return {
    name,
    server,
    requests: (): AutocannonRequest[] => [
      {
        method: 'POST',
        path: '/api/wechat/pay/callback',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (request) => {
          const body = bodies[cursor.next % bodies.length];
          cursor.next += 1;
          return { ...request, body };
        },
      },
    ],
  };
}

/**
 * A side sending v3 notifies: `pool` (signed before the measurement, shared by the sides on different databases —
 * each database has its own orders) and, once a side has used it up, more signed on the spot (counted in
 * `extra.signed`: that signing is the load generator's CPU, not the server's). Never more than `count`, the
 * orders inserted: past that a side would resend (duplicates, visible in the verdicts).
 */
function v3NotifySide(
  name: string,
  server: ServerHandle,
  tag: string,
  pool: V3NotifyRequest[],
  count: number,
  extra: { signed: number },
): Side {
  const cursor = { next: 0 };
  return {
    name,
    server,
    requests: (): AutocannonRequest[] => [
      {
        method: 'POST',
        path: '/api/wechat/pay/callback',
        setupRequest: (request) => {
          const i = cursor.next % count;
          cursor.next += 1;
          let notify = pool[i];
          if (!notify) {
            notify = v3NotifyRequest(tag, i);
            extra.signed += 1;
          }
          return { ...request, body: notify.body, headers: notify.headers };
        },
      },
    ],
  };
}

/** wechat-core's v3 crypto bench (bench/v3-signing.bench.ts), run in a child with `--json`. */
interface V3Crypto {
  signV3: number;
  rawSign: number;
  parseEachTime: number;
  readNotify: number;
  rawNotify: number;
  load: [number, number];
}
const V3_CRYPTO_BENCH = fileURLToPath(
  new URL('../../../packages/wechat-core/bench/v3-signing.bench.ts', import.meta.url),
);

/**
 * The signed session cookie a login would have set for `openId` (Koa cookies, Keygrip sha256):
 * `<openid>.<expiresAt>.<sessionId>.<sessionVersion>`, version 0 (the user row's, see ensureBenchUsers).
 */
function sessionCookie(openId: string): string {
  const value = `${openId}.${Math.floor(Date.now() / 1000) + 3600}.${randomBytes(16).toString('base64url')}.0`;
  const signature = new Keygrip([DEMO_ENV.COOKIE_KEYS], 'sha256').sign(`openId=${value}`);
  return `openId=${value}; openId.sig=${signature}`;
}

interface Row {
  scenario: string;
  side: string;
  result: LoadResult;
  ceiling?: { name: string; result: LoadResult };
  peer?: { name: string; result: LoadResult };
  load: [number, number];
  note?: string;
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const ratio = (a: LoadResult, b: LoadResult | undefined) =>
  b ? (a.requestsPerSecond / b.requestsPerSecond).toFixed(2) : '';

function printTable(rows: Row[]): void {
  const header = [
    'scenario',
    'side',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    '÷ ceiling',
    '÷ peer',
    'load',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    r.side,
    fmt(r.result.requestsPerSecond),
    String(r.result.p50Ms),
    String(r.result.p99Ms),
    fmt(r.result.serverCpuMicrosPerRequest),
    r.ceiling ? `${ratio(r.result, r.ceiling.result)}` : '',
    r.peer ? `${ratio(r.result, r.peer.result)} (${r.peer.name})` : '',
    `${fmt(r.load[0], 1)}→${fmt(r.load[1], 1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const print = (cells: string[]) =>
    console.log(`| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`);
  print(header);
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) print(line);
}

async function main(): Promise<void> {
  const started = performance.now();
  const quick = process.argv.includes('--quick');
  const options: BenchOptions = {
    seconds: Number(argument('seconds') ?? (quick ? 3 : 6)),
    connections: Number(argument('connections') ?? 50),
  };
  const sizes = (argument('sizes') ?? (quick ? '100000' : '100000,2000000')).split(',').map(Number);
  const dialects = (argument('databases') ?? 'sqlite,postgres').split(',') as Dialect[];
  const only = (argument('only') ?? 'jssdk,notify,notify-v3,orders,v3-crypto').split(',');
  const notifyCount = Math.round(options.seconds * 6000) + 6000;

  console.log(
    `wxh5 api bench: ${options.seconds} s per side, ${options.connections} connections, node ${process.version}, ` +
      `load average ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')} (2 cores)`,
  );
  console.log(`  the app runs as ${appLaunch().description}`);
  const runDir = mkdtempSync(path.join(tmpdir(), 'wxh5-bench-run-'));
  const servers: ServerHandle[] = [];
  const emulator = await startWechatEmulator({ port: 0, host: '127.0.0.1' });
  const rows: Row[] = [];
  let v3Crypto: V3Crypto | undefined;
  try {
    const fingerprint = await migrationsFingerprint();
    const databases: BenchDatabase[] = [];
    for (const size of sizes) {
      for (const dialect of dialects)
        databases.push(await prepareDatabase(dialect, size, runDir, fingerprint));
    }
    const first = databases[0] as BenchDatabase;
    const apps = new Map<BenchDatabase, ServerHandle>();
    const v3Apps = new Map<BenchDatabase, ServerHandle>();
    for (const database of databases) {
      const tags = [
        ...(only.includes('notify') ? (database === first ? ['app', 'koa', 'tenpay'] : ['app']) : []),
        ...(only.includes('notify-v3') ? (database === first ? ['v3app', 'v3koa'] : ['v3app']) : []),
      ];
      if (tags.length > 0) await resetNotifyOrders(database, tags, notifyCount);
      const app = await startApp(`app on ${database.label}`, database.url, emulator.url);
      servers.push(app);
      apps.set(database, app);
      if (only.includes('notify-v3')) {
        const v3App = await startApp(
          `app (v3) on ${database.label}`,
          database.url,
          emulator.url,
          DEMO_V3_ENV,
        );
        servers.push(v3App);
        v3Apps.set(database, v3App);
      }
    }
    /** The best notify rate seen so far (v2, this run): sizes the pool of v3 notifies signed in advance. */
    let notifyRateSeen = 0;
    const firstApp = apps.get(first) as ServerHandle;

    if (only.includes('jssdk')) {
      console.log('… jssdk');
      const page = `${firstApp.url}/pay?from=bench`;
      const target = `/api/wechat/jssdk?url=${encodeURIComponent(page)}`;
      const warm = await fetch(firstApp.url + target);
      if (warm.status !== 200) throw new Error(`jssdk warm-up answered ${warm.status}: ${await warm.text()}`);
      const peer = await startPeer('jssdk peer', { kind: 'jssdk-koa', allowedOrigin: firstApp.url });
      const ceiling = await startPeer('bare Koa JSON', { kind: 'bare-json' });
      servers.push(peer, ceiling);
      const { results, loadAverage } = await compare(
        [
          { name: 'app', server: firstApp, path: target },
          { name: 'peer', server: peer, path: target },
          { name: 'ceiling', server: ceiling, path: '/' },
        ],
        options,
      );
      const c = { name: 'bare Koa', result: results['ceiling'] as LoadResult };
      const p = { name: 'Koa+router', result: results['peer'] as LoadResult };
      rows.push({
        scenario: 'jssdk',
        side: `app (${first.label})`,
        result: results['app'] as LoadResult,
        ceiling: c,
        peer: p,
        load: loadAverage,
      });
      rows.push({
        scenario: 'jssdk',
        side: 'Koa + @koa/router peer',
        result: p.result,
        ceiling: c,
        load: loadAverage,
      });
      rows.push({ scenario: 'jssdk', side: 'bare Koa JSON (ceiling)', result: c.result, load: loadAverage });
    }

    if (only.includes('notify')) {
      console.log('… notify');
      const peerKoa = await startPeer('notify peer', { kind: 'notify-koa', databaseUrl: first.url });
      const peerTenpay = await startPeer('tenpay peer', { kind: 'notify-tenpay', databaseUrl: first.url });
      const ceiling = await startPeer('bare Koa XML', { kind: 'bare-xml' });
      servers.push(peerKoa, peerTenpay, ceiling);
      const sides: Side[] = databases.map((d) =>
        notifySide(d.label, apps.get(d) as ServerHandle, 'app', notifyCount),
      );
      sides.push(
        notifySide('koa', peerKoa, 'koa', notifyCount),
        notifySide('tenpay', peerTenpay, 'tenpay', notifyCount),
      );
      sides.push({ ...notifySide('ceiling', ceiling, 'ceil', Math.min(notifyCount, 5000)) });
      const { results, loadAverage } = await compare(sides, options);
      const c = { name: 'bare Koa', result: results['ceiling'] as LoadResult };
      const koa = { name: 'Koa+wechat-core', result: results['koa'] as LoadResult };
      for (const d of databases) {
        const stats = await notifyStats(d, 'app');
        const sqliteTwin = databases.find((x) => x.dialect === 'sqlite' && x.size === d.size);
        rows.push({
          scenario: `notify ${sizeLabel(d.size)}`,
          side: `app, ${d.label}`,
          result: results[d.label] as LoadResult,
          ceiling: c,
          peer:
            d.dialect === 'postgres' && sqliteTwin
              ? { name: 'app on SQLite', result: results[sqliteTwin.label] as LoadResult }
              : koa,
          load: loadAverage,
          note: `${JSON.stringify(stats.verdicts)}, ${stats.paid} PAID`,
        });
      }
      notifyRateSeen = Math.max(...Object.values(results).map((r) => r.requestsPerSecond));
      const koaStats = await notifyStats(first, 'koa');
      const tenpayStats = await notifyStats(first, 'tenpay');
      rows.push({
        scenario: `notify ${sizeLabel(first.size)}`,
        side: `Koa + wechat-core + same write (${first.label})`,
        result: koa.result,
        ceiling: c,
        load: loadAverage,
        note: `${JSON.stringify(koaStats.verdicts)}`,
      });
      rows.push({
        scenario: `notify ${sizeLabel(first.size)}`,
        side: `tenpay middleware + same write (${first.label})`,
        result: results['tenpay'] as LoadResult,
        ceiling: c,
        peer: koa,
        load: loadAverage,
        note: `${JSON.stringify(tenpayStats.verdicts)}`,
      });
      rows.push({ scenario: 'notify', side: 'bare Koa XML (ceiling)', result: c.result, load: loadAverage });
    }

    if (only.includes('notify-v3')) {
      // Signed in advance for about 2× what the fastest v2 side took (a v3 side can be faster: JSON, no XML).
      const expected = notifyRateSeen > 0 ? 1.5 * notifyRateSeen : 4000;
      const poolSize = Math.min(notifyCount, Math.ceil(expected * (options.seconds + 1) * 1.3) + 500);
      const signStarted = performance.now();
      const appPool = Array.from({ length: poolSize }, (_, i) => v3NotifyRequest('v3app', i));
      const koaPool = Array.from({ length: poolSize }, (_, i) => v3NotifyRequest('v3koa', i));
      console.log(
        `… notify-v3 (${2 * poolSize} notifies signed in ${((performance.now() - signStarted) / 1000).toFixed(1)} s)`,
      );
      const peer = await startPeer('notify v3 peer', { kind: 'notify-v3-koa', databaseUrl: first.url });
      const ceiling = await startPeer('bare Koa v3', { kind: 'bare-v3' });
      servers.push(peer, ceiling);
      const extra = { signed: 0 };
      const sides: Side[] = databases.map((d) =>
        v3NotifySide(d.label, v3Apps.get(d) as ServerHandle, 'v3app', appPool, notifyCount, extra),
      );
      sides.push(
        v3NotifySide('koa', peer, 'v3koa', koaPool, notifyCount, extra),
        // The ceiling verifies nothing: it goes round the pool rather than have more signed while it is driven.
        v3NotifySide('ceiling', ceiling, 'v3app', appPool, appPool.length, extra),
      );
      const { results, loadAverage } = await compare(sides, options);
      const c = { name: 'bare Koa', result: results['ceiling'] as LoadResult };
      const koa = { name: 'Koa+wechat-core v3', result: results['koa'] as LoadResult };
      for (const d of databases) {
        const stats = await notifyStats(d, 'v3app');
        const sqliteTwin = databases.find((x) => x.dialect === 'sqlite' && x.size === d.size);
        rows.push({
          scenario: `notify v3 ${sizeLabel(d.size)}`,
          side: `app, ${d.label}`,
          result: results[d.label] as LoadResult,
          ceiling: c,
          peer:
            d.dialect === 'postgres' && sqliteTwin
              ? { name: 'app v3 on SQLite', result: results[sqliteTwin.label] as LoadResult }
              : koa,
          load: loadAverage,
          note: `${JSON.stringify(stats.verdicts)}, ${stats.paid} PAID`,
        });
      }
      const koaStats = await notifyStats(first, 'v3koa');
      rows.push({
        scenario: `notify v3 ${sizeLabel(first.size)}`,
        side: `Koa + wechat-core v3 + same write (${first.label})`,
        result: koa.result,
        ceiling: c,
        load: loadAverage,
        note: `${JSON.stringify(koaStats.verdicts)}`,
      });
      rows.push({
        scenario: 'notify v3',
        side: 'bare Koa JSON (ceiling)',
        result: c.result,
        load: loadAverage,
      });
      if (extra.signed > 0) {
        console.log(
          `  notify-v3: ${extra.signed} notifies were signed during the measurement (pool used up)`,
        );
      }
    }

    if (only.includes('orders')) {
      console.log('… orders');
      const ceiling = await startPeer('bare Koa JSON', { kind: 'bare-json' });
      servers.push(ceiling);
      const sides: Side[] = [];
      for (const d of databases) {
        const server = apps.get(d) as ServerHandle;
        for (const [user, who] of [
          [SMALL_USER, '100-order user'],
          [BIG_USER, '100k-order user'],
        ] as const) {
          const check = await fetch(`${server.url}/api/wechat/pay/orders?limit=20`, {
            headers: { cookie: sessionCookie(user) },
          });
          if (check.status !== 200) throw new Error(`orders answered ${check.status}: ${await check.text()}`);
          sides.push({
            name: `${d.label} ${who}`,
            server,
            path: '/api/wechat/pay/orders?limit=20',
            headers: { cookie: sessionCookie(user) },
          });
        }
      }
      sides.push({ name: 'ceiling', server: ceiling, path: '/' });
      const { results, loadAverage } = await compare(sides, options);
      const c = { name: 'bare Koa', result: results['ceiling'] as LoadResult };
      for (const d of databases) {
        const small = results[`${d.label} 100-order user`] as LoadResult;
        const big = results[`${d.label} 100k-order user`] as LoadResult;
        rows.push({
          scenario: `orders ${sizeLabel(d.size)}`,
          side: `${d.label}, 100-order user`,
          result: small,
          ceiling: c,
          load: loadAverage,
        });
        rows.push({
          scenario: `orders ${sizeLabel(d.size)}`,
          side: `${d.label}, 100k-order user`,
          result: big,
          ceiling: c,
          peer: { name: '100-order user', result: small },
          load: loadAverage,
        });
      }
      rows.push({ scenario: 'orders', side: 'bare Koa JSON (ceiling)', result: c.result, load: loadAverage });
    }
    if (only.includes('v3-crypto')) {
      console.log('… v3-crypto');
      // Its own process, after every server has been driven: nothing else of ours runs meanwhile.
      const output = execFileSync(process.execPath, ['--import', 'tsx', V3_CRYPTO_BENCH, '--json'], {
        encoding: 'utf8',
      });
      v3Crypto = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as V3Crypto;
    }
  } finally {
    for (const server of servers.reverse()) await server.close();
    await emulator.close();
    rmSync(runDir, { recursive: true, force: true });
  }

  console.log('');
  printTable(rows);
  for (const row of rows) {
    if (row.note) console.log(`  ${row.scenario} / ${row.side}: ${row.note}`);
    if (row.result.errors > 0 || row.result.non2xx > 0) {
      console.log(
        `  ${row.scenario} / ${row.side}: ${row.result.errors} errors, ${row.result.non2xx} non-2xx`,
      );
    }
  }
  if (v3Crypto) {
    const c = v3Crypto;
    const µs = (n: number) => `${n.toFixed(1)} µs`;
    console.log(
      `\nv3 crypto per operation (CPU µs, wechat-core bench/v3-signing.bench.ts; load ${c.load[0].toFixed(1)}→${c.load[1].toFixed(1)}):`,
    );
    console.log(
      `  the v3 client's signature per request (signV3Request): ${µs(c.signV3)}; bare crypto.sign, same ` +
        `pre-parsed KeyObject: ${µs(c.rawSign)} (${(c.rawSign / c.signV3).toFixed(2)} of ours); parsing the PEM ` +
        `every call instead: ${µs(c.parseEachTime)}`,
    );
    console.log(
      `  a v3 notify's verify + decrypt + JSON parse: ${µs(c.readNotify)}; bare crypto.verify + AES-256-GCM: ` +
        `${µs(c.rawNotify)} (${(c.rawNotify / c.readNotify).toFixed(2)} of ours)`,
    );
  }
  console.log(
    `\nload average at the end ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on 2 cores; total ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
