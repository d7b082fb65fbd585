/**
 * One server under test, in its own process (started by `bench/harness.ts` with `fork`, never run by hand): the
 * load generator lives in the parent, so it does not share this server's event loop.
 *
 *   argv[2] = JSON ServerSpec
 *
 * It listens on 127.0.0.1:0, then sends `{ type: 'ready', url }` over IPC and answers:
 *   { type: 'cpu' }   → { type: 'cpu', micros, systemMicros }   this process's CPU time (user + system, system) so far
 *   { type: 'stats' } → { type: 'stats', verdicts, paidOrders }   (the app only)
 *   { type: 'close' } → closes the server (and the database), exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildXmlReply } from '@wxh5/wechat-core';
import Koa from 'koa';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config';
import { createDeps, type DepsHandle } from '../src/create-deps';
import { readRawBody } from '../src/pay/read-raw-body';
import { BENCH_ENV, benchOrderRow } from './bench-data';

export type ServerSpec =
  | { kind: 'bare-json' }
  | { kind: 'bare-xml' }
  | { kind: 'app'; emulatorUrl?: string; seedOrders?: number; logLevel?: string };

export type ServerRequest = { type: 'cpu' } | { type: 'stats' } | { type: 'close' };
export type ServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'cpu'; micros: number; systemMicros: number }
  | { type: 'stats'; verdicts: Record<string, number>; paidOrders: number };

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function send(message: ServerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec;
  const server = createServer();
  const url = await listen(server);
  let handle: DepsHandle | undefined;
  let dir: string | undefined;

  if (spec.kind === 'bare-json') {
    // A Koa hello-world answering a JSON envelope of about the same size as the jssdk answer's head.
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = { code: 0, data: { hello: 'world' } };
    });
    const callback = app.callback();
    server.on('request', (req, res) => void callback(req, res));
  } else if (spec.kind === 'bare-xml') {
    // Bare Koa for the notify: read the body, answer the same SUCCESS XML. No verification, no database.
    const app = new Koa();
    const reply = buildXmlReply('SUCCESS');
    app.use(async (ctx) => {
      await readRawBody(ctx.req);
      ctx.type = 'text/xml';
      ctx.body = reply;
    });
    const callback = app.callback();
    server.on('request', (req, res) => void callback(req, res));
  } else {
    // The real app as `pnpm start` runs it: an on-disk SQLite database (WAL), the in-process keyv.
    dir = mkdtempSync(path.join(tmpdir(), 'wxh5-bench-'));
    const wechatUrl = spec.emulatorUrl ?? 'http://127.0.0.1:9';
    const config = parseConfig({
      ...BENCH_ENV,
      LOG_LEVEL: spec.logLevel ?? 'info',
      PUBLIC_BASE_URL: url,
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      WECHAT_OAUTH_BASE_URL: wechatUrl,
      WECHAT_API_BASE_URL: wechatUrl,
      WECHAT_PAY_BASE_URL: wechatUrl,
    });
    handle = await createDeps(config);
    const { db } = handle.deps;
    const seed = spec.seedOrders ?? 0;
    const now = new Date().toISOString();
    for (let start = 0; start < seed; start += 500) {
      const rows = [];
      for (let i = start; i < Math.min(seed, start + 500); i += 1) rows.push(benchOrderRow(i, now));
      await db.insertInto('orders').values(rows).execute();
    }
    const callback = createApp(handle.deps).callback();
    server.on('request', (req, res) => void callback(req, res));
  }

  process.on('message', (raw: ServerRequest) => {
    void (async () => {
      if (raw.type === 'cpu') {
        const cpu = process.cpuUsage();
        send({ type: 'cpu', micros: cpu.user + cpu.system, systemMicros: cpu.system });
      } else if (raw.type === 'stats') {
        if (!handle) return send({ type: 'stats', verdicts: {}, paidOrders: 0 });
        const { db } = handle.deps;
        const rows = await db
          .selectFrom('pay_notifications')
          .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('verdict')
          .execute();
        const paid = await db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'PAID')
          .executeTakeFirstOrThrow();
        send({
          type: 'stats',
          verdicts: Object.fromEntries(rows.map((row) => [row.verdict, Number(row.n)])),
          paidOrders: Number(paid.n),
        });
      } else {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await handle?.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
        // process.exit (not a natural exit) so that --cpu-prof writes its profile at once.
        process.exit(0);
      }
    })();
  });
  send({ type: 'ready', url });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
