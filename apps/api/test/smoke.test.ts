import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSmoke, type SmokeOptions } from '../smoke/run-smoke';
import { SmokeError } from '../smoke/smoke-http';
import { TEST_ADMIN_TOKEN, startEmulator, startTestApi, type TestApi, type TestEmulator } from './support';

const API_DIR = path.resolve(import.meta.dirname, '..');

let emulator: TestEmulator;
let api: TestApi;

beforeEach(async () => {
  emulator = await startEmulator();
  api = await startTestApi({ emulatorUrl: emulator.url });
});

afterEach(async () => {
  await api.close();
  await emulator.close();
});

function smokeOptions(overrides: Partial<SmokeOptions> = {}): SmokeOptions {
  return {
    apiUrl: api.url,
    emulatorUrl: emulator.url,
    adminToken: TEST_ADMIN_TOKEN,
    userId: 'bob',
    settleTimeoutMs: 10_000,
    onStep: () => {},
    ...overrides,
  };
}

describe('the smoke run', () => {
  it('logs in through the emulator, pays, closes, refunds and logs out against a real api', async () => {
    const report = await runSmoke(smokeOptions());
    expect(report.steps.map((step) => step.name)).toEqual([
      'healthz',
      'readyz',
      'no session yet',
      'login',
      'getUserInfo',
      'jssdk',
      'products',
      'payWallet',
      'pay at the emulator',
      'orders',
      'closeOrder',
      'admin refund',
      'refund settled',
      'logout',
      'logoutEverywhere',
    ]);
    expect(report.openId).toBe(await emulator.openIdOf('bob'));
    expect(report.paidOrder.status).toBe('PAID');
    expect(report.paidOrder.transactionId).toMatch(/^\d+$/);
    expect(report.closedOrder.status).toBe('CLOSED');
    expect(report.skipped).toEqual([]);
    // What the api stored agrees with what the smoke saw.
    const rows = await api.deps.db
      .selectFrom('orders')
      .select(['out_trade_no', 'status', 'amount_fen'])
      .where('out_trade_no', 'in', [report.paidOrder.outTradeNo, report.closedOrder.outTradeNo])
      .orderBy('out_trade_no')
      .execute();
    expect(rows.map((row) => row.status).sort()).toEqual(['CLOSED', 'REFUNDED']);
    // The paid order is the course at the server's price; the closed one a 1-fen tip.
    expect(report.paidOrder).toMatchObject({ productId: 'course', amountFen: 19_900 });
    expect(rows.map((row) => row.amount_fen).sort((a, b) => a - b)).toEqual([1, 19_900]);
  }, 30_000);

  it('skips the refund, and says so, without an admin token', async () => {
    const report = await runSmoke(smokeOptions({ adminToken: undefined }));
    expect(report.steps.map((step) => step.name)).not.toContain('admin refund');
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]).toContain('refund');
  });

  it('fails on the step whose answer is wrong, naming what came back', async () => {
    const failure = await runSmoke(
      smokeOptions({ adminToken: 'not-the-admin-token-0123456789abcdef' }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SmokeError);
    expect((failure as SmokeError).step).toBe('admin refund');
    expect((failure as SmokeError).message).toContain('HTTP 401 admin_unauthorized');
  });

  it('says nothing answers when the api is not running', async () => {
    const failure = await runSmoke(smokeOptions({ apiUrl: 'http://127.0.0.1:9' })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SmokeError);
    expect((failure as SmokeError).message).toContain('nothing answers there');
  });

  it('is the `smoke` command: the CLI passes against the api and prints every step', async () => {
    const tsx = createRequire(path.join(API_DIR, 'package.json')).resolve('tsx/cli');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [tsx, 'smoke/main.ts', '--api', api.url, '--emulator', emulator.url, '--admin-token', TEST_ADMIN_TOKEN],
      { cwd: API_DIR },
    );
    expect(stdout).toContain('ok  login');
    expect(stdout).toContain('ok  refund settled');
    expect(stdout).toContain('smoke passed: 15 steps');
    // A child process with its own TypeScript start-up: slow on a loaded machine, so a generous ceiling.
  }, 60_000);
});
