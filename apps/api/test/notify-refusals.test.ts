import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../src/store/database';
import { pruneNotifications } from '../src/store/prune-notifications';
import { startTestApi, testEnv, useFileEmulator, type TestApi } from './support';
import { buildPayNotify, insertOrder, postXml, testTradeNo } from './pay-kit';

const OTHER_KEY = 'OtherPayKey0123456789abcdefABCDEF';

const shared = useFileEmulator();
const CALLBACK = '/api/wechat/pay/callback';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe.each(['sqlite', 'postgres'] as const)('unverified notify refusals on %s', (database) => {
  let api: TestApi;
  beforeAll(async () => {
    // Refusals are counted per hour: a clock half way into an hour keeps the flood inside one.
    const startedAt = Date.now();
    const halfPast = Math.floor(startedAt / 3_600_000) * 3_600_000 + 1_800_000;
    api = await startTestApi({
      emulatorUrl: shared.emulator.url,
      database,
      now: () => halfPast + (Date.now() - startedAt),
      env: { NOTIFY_REFUSAL_SAMPLES_PER_HOUR: '5' },
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const refusedRows = () =>
    api.deps.db
      .selectFrom('pay_notifications')
      .selectAll()
      .where('body_sha256', 'is not', null)
      .orderBy('id', 'asc')
      .execute();

  it('keeps a bounded sample per source and hour and only counts the rest of a flood', async () => {
    // 30 forged notifies of ~20 KB each (signed with another key, padded): 600 KB that main stored in full.
    const bodies = Array.from({ length: 30 }, (_, i) =>
      buildPayNotify({
        outTradeNo: `F${i}`,
        totalFee: 1,
        key: OTHER_KEY,
        fields: { attach: 'x'.repeat(20_000) },
      }),
    );
    for (const body of bodies) {
      expect((await postXml(`${api.url}${CALLBACK}`, body)).returnCode).toBe('FAIL');
    }
    const rows = await refusedRows();
    expect(rows).toHaveLength(5);
    for (const [i, row] of rows.entries()) {
      const body = bodies[i] ?? '';
      expect(row).toMatchObject({
        kind: 'pay',
        verdict: 'bad_signature',
        source_ip: '127.0.0.1',
        body_bytes: Buffer.byteLength(body),
        body_sha256: sha256(body),
      });
      expect(Buffer.byteLength(row.raw_body)).toBe(4096);
      expect(body.startsWith(row.raw_body)).toBe(true);
    }
    const counters = await api.deps.db.selectFrom('notify_refusals').selectAll().execute();
    expect(counters).toEqual([
      expect.objectContaining({
        kind: 'pay',
        source_ip: '127.0.0.1',
        count: 30,
        suppressed: 25,
        last_verdict: 'bad_signature',
        last_body_sha256: sha256(bodies[29] ?? ''),
      }),
    ]);
  }, 60_000);

  it('still records a verified notify in full after the flood', async () => {
    const outTradeNo = testTradeNo();
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 100 });
    const body = buildPayNotify({ outTradeNo, totalFee: 100 });
    expect((await postXml(`${api.url}${CALLBACK}`, body)).returnCode).toBe('SUCCESS');
    const row = await api.deps.db
      .selectFrom('pay_notifications')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ verdict: 'accepted', raw_body: body, body_sha256: null });
  });
});

describe('the retention of refusals (prune-notifications)', () => {
  const DAY = 86_400_000;
  const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

  async function seed(url: string) {
    const handle = openDatabase(url);
    await migrateToLatest(handle.db);
    const row = (verdict: string, receivedAt: string, refused: boolean) => ({
      kind: 'pay',
      raw_body: '<xml/>',
      verdict,
      out_trade_no: null,
      transaction_id: null,
      received_at: receivedAt,
      ...(refused ? { source_ip: '10.0.0.1', body_bytes: 6, body_sha256: sha256('<xml/>') } : {}),
    });
    await handle.db
      .insertInto('pay_notifications')
      .values([
        row('bad_signature', at(100 * DAY), true),
        row('xml_not_well_formed', at(95 * DAY), true),
        row('bad_signature', at(10 * DAY), true),
        row('accepted', at(400 * DAY), false),
        row('amount_mismatch', at(200 * DAY), false),
      ])
      .execute();
    const counter = (windowStart: string) => ({
      kind: 'pay',
      source_ip: '10.0.0.1',
      window_start: windowStart,
      count: 100,
      suppressed: 40,
      last_verdict: 'bad_signature',
      last_body_sha256: sha256('<xml/>'),
      last_at: windowStart,
    });
    await handle.db
      .insertInto('notify_refusals')
      .values([counter(at(100 * DAY)), counter(at(1 * DAY))])
      .execute();
    await handle.db
      .insertInto('revoked_sessions')
      .values([
        { session_id: 'gone', expires_at: at(DAY) },
        { session_id: 'live', expires_at: at(-DAY) },
      ])
      .execute();
    return handle;
  }

  it('deletes refusal evidence older than the period and keeps every verified notify', async () => {
    const handle = await seed('sqlite::memory:');
    try {
      const before = at(90 * DAY);
      expect(await pruneNotifications(handle.db, { before, dryRun: true })).toEqual({
        refusedNotifications: 2,
        refusalCounters: 1,
        revokedSessions: 1,
      });
      expect(await pruneNotifications(handle.db, { before, batchSize: 1 })).toEqual({
        refusedNotifications: 2,
        refusalCounters: 1,
        revokedSessions: 1,
      });
      const left = await handle.db.selectFrom('pay_notifications').select('verdict').orderBy('id').execute();
      expect(left.map((r) => r.verdict)).toEqual(['bad_signature', 'accepted', 'amount_mismatch']);
      expect(await handle.db.selectFrom('notify_refusals').select('count').execute()).toHaveLength(1);
      expect(await handle.db.selectFrom('revoked_sessions').select('session_id').execute()).toEqual([
        { session_id: 'live' },
      ]);
    } finally {
      await handle.close();
    }
  });

  it('runs as `pnpm prune-notifications --older-than 90d` against the configured database', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wxh5-prune-'));
    try {
      const url = `sqlite:${path.join(dir, 'wxh5.sqlite')}`;
      await (await seed(url)).close();
      const env = testEnv({
        emulatorUrl: shared.emulator.url,
        publicBaseUrl: 'http://127.0.0.1:1',
        databaseUrl: url,
      });
      const run = promisify(execFile);
      const script = path.resolve(import.meta.dirname, '../src/prune-notifications.ts');
      const prune = (...args: string[]) =>
        run(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...args], { env, cwd: dir });
      const dry = await prune('--older-than', '90d', '--dry-run');
      expect(dry.stdout).toMatch(/^would delete: 2 refused-notify audit rows and 1 hourly refusal counters/);
      const done = await prune('--older-than', '90d');
      expect(done.stdout).toMatch(/^deleted: 2 refused-notify audit rows and 1 hourly refusal counters/);
      await expect(prune('--older-than', 'soon')).rejects.toMatchObject({
        code: 2,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
