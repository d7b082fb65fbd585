import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DEMO_API_V3_KEY,
  DEMO_KEY_FILES,
  DEMO_MCH_CERT_SERIAL,
  DEMO_WECHATPAY_PUBLIC_KEY_ID,
  startWechatEmulator,
} from '@wxh5/wechat-emulator';
import type { EmulatorHandle } from '@wxh5/wechat-emulator';
import { DEMO } from '@wxh5/wechat-emulator/testing';
import { H5_DIST_DIR, REPO_ROOT, isH5BuildStale } from './h5-build';

/** The demo credentials of product.md §4: the emulator seeds them and exports them; public, valid nowhere else. */
export { DEMO };

/** The columns of `orders` that the flow tests check. */
export interface OrderRow {
  out_trade_no: string;
  openid: string;
  amount_fen: number;
  status: string;
  transaction_id: string | null;
  paid_at: string | null;
}

interface SqliteStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}
type SqliteConstructor = new (
  file: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => SqliteDatabase;

export interface Stack {
  /** Where the browser opens the H5 (the api serves the built page on its own origin). */
  apiUrl: string;
  /** Bearer token of the api's merchant routes (`/api/admin/…`). */
  adminToken: string;
  emulatorUrl: string;
  emulator: EmulatorHandle;
  /** The SQLite file the api writes. */
  databaseFile: string;
  /** Call the emulator's control API (`/__emulator/…`); rejects on a non-2xx answer. */
  control<T = unknown>(method: 'GET' | 'POST', pathname: string, body?: unknown): Promise<T>;
  /** Read one order straight from the api's database (read-only connection). */
  orderRow(outTradeNo: string): OrderRow | undefined;
  /** Every order of one openid, oldest first, straight from the api's database. */
  orderRowsOf(openid: string): OrderRow[];
  /**
   * Move an order's creation time `minutes` into the past in the api's database, as if it had been placed then
   * (the api's clock is the real one; this is how a test meets an order past its time_expire).
   */
  ageOrder(outTradeNo: string, minutes: number): void;
  /** The api's output so far (for failure messages). */
  apiLog(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it; the server that found it is closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the api exited with code ${String(child.exitCode)} before it was healthy:\n${log()}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the api did not answer ${url} within 45 s:\n${log()}`);
}

const ORDER_COLUMNS = 'out_trade_no, openid, amount_fen, status, transaction_id, paid_at';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef0123456789';

// better-sqlite3 is the api's dependency; the tests borrow it to read the api's database directly.
const requireFromApi = createRequire(path.join(REPO_ROOT, 'apps/api/package.json'));

/**
 * Start the whole product for browser tests: the emulator in this process (port 0, notify retries scaled to
 * milliseconds) and the api as a child (`tsx apps/api/src/main.ts`, a free port, SQLite in a temp dir) serving
 * the built H5 with the emulator's bridge script injected.
 */
export interface StackOptions {
  /** WeChat Pay API of new orders: v2 (default here, the existing flows) or v3 (public-key mode, the demo's keys). */
  pay?: 'v2' | 'v3';
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (isH5BuildStale()) {
    throw new Error(
      `${H5_DIST_DIR} is missing or older than the H5 sources: run \`pnpm --filter @wxh5/h5 build\``,
    );
  }
  const emulator = await startWechatEmulator({ port: 0, notifyTimeScale: 0.001 });
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'wxh5-e2e-'));
  const databaseFile = path.join(tempDir, 'wxh5.sqlite');
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;

  // The api's whole environment, spelled out: nothing leaks in from the shell running the tests.
  const env: NodeJS.ProcessEnv = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: apiUrl,
    COOKIE_KEYS: 'e2e-cookie-key-0123456789abcdef0123456789',
    DATABASE_URL: `sqlite:${databaseFile}`,
    WECHAT_APP_ID: DEMO.appId,
    WECHAT_APP_SECRET: DEMO.appSecret,
    WECHAT_MCH_ID: DEMO.mchId,
    WECHAT_PAY_KEY: DEMO.payKey,
    WECHAT_OAUTH_BASE_URL: emulator.url,
    WECHAT_API_BASE_URL: emulator.url,
    WECHAT_PAY_BASE_URL: emulator.url,
    WECHAT_BRIDGE_SCRIPT_URL: `${emulator.url}/jsbridge.js`,
    H5_DIST_DIR,
    ADMIN_TOKEN: ADMIN_TOKEN,
    // The demo's products: the H5 and the specs buy the course, the membership and the (custom-amount) tip.
    SEED_DEMO_PRODUCTS: 'true',
    LOG_LEVEL: 'warn',
    // v3: the demo merchant in public-key mode, with the emulator's demo key files (the v2 key stays: live switch).
    ...(options.pay === 'v3'
      ? {
          WECHAT_PAY_API: 'v3',
          WECHAT_PAY_MCH_PRIVATE_KEY_PATH: DEMO_KEY_FILES.merchantPrivateKey,
          WECHAT_PAY_MCH_CERT_SERIAL: DEMO_MCH_CERT_SERIAL,
          WECHAT_PAY_API_V3_KEY: DEMO_API_V3_KEY,
          WECHAT_PAY_PUBLIC_KEY_PATH: DEMO_KEY_FILES.wechatpayPublicKey,
          WECHAT_PAY_PUBLIC_KEY_ID: DEMO_WECHATPAY_PUBLIC_KEY_ID,
        }
      : { WECHAT_PAY_API: 'v2' }),
  };
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const api = spawn(process.execPath, [tsxCli, path.join(REPO_ROOT, 'apps/api/src/main.ts')], {
    cwd: tempDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  api.stdout.on('data', collect);
  api.stderr.on('data', collect);
  const apiLog = () => output;

  let db: SqliteDatabase | undefined;
  const database = (): SqliteDatabase => {
    if (!db) {
      const Database = requireFromApi('better-sqlite3') as SqliteConstructor;
      db = new Database(databaseFile, { readonly: true, fileMustExist: true });
    }
    return db;
  };
  const stop = async () => {
    db?.close();
    db = undefined;
    if (api.exitCode === null && api.signalCode === null && api.pid !== undefined) {
      const exited = new Promise<void>((resolve) => api.once('exit', () => resolve()));
      process.kill(-api.pid, 'SIGTERM');
      await exited;
    }
    await emulator.close();
    rmSync(tempDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(`${apiUrl}/healthz`, api, apiLog);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    apiUrl,
    adminToken: ADMIN_TOKEN,
    emulatorUrl: emulator.url,
    emulator,
    databaseFile,
    async control<T>(method: 'GET' | 'POST', pathname: string, body?: unknown): Promise<T> {
      const response = await fetch(`${emulator.url}/__emulator${pathname}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} /__emulator${pathname} → ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    orderRow(outTradeNo: string): OrderRow | undefined {
      return database()
        .prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE out_trade_no = ?`)
        .get(outTradeNo) as OrderRow | undefined;
    },
    orderRowsOf(openid: string): OrderRow[] {
      return database()
        .prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE openid = ? ORDER BY id`)
        .all(openid) as OrderRow[];
    },
    ageOrder(outTradeNo: string, minutes: number): void {
      const Database = requireFromApi('better-sqlite3') as SqliteConstructor;
      const writer = new Database(databaseFile, { readonly: false, fileMustExist: true });
      try {
        const row = writer.prepare('SELECT created_at FROM orders WHERE out_trade_no = ?').get(outTradeNo) as
          { created_at: string } | undefined;
        if (!row) throw new Error(`no order ${outTradeNo}`);
        const aged = new Date(Date.parse(row.created_at) - minutes * 60_000).toISOString();
        writer.prepare('UPDATE orders SET created_at = ? WHERE out_trade_no = ?').run(aged, outTradeNo);
      } finally {
        writer.close();
      }
    },
    apiLog,
    stop,
  };
}
