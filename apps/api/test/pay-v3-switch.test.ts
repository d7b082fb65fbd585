import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import type { PayWalletResponse } from '@wxh5/contracts';
import { loadMerchantPrivateKey } from '@wxh5/wechat-core';
import {
  DEMO_API_V3_KEY,
  DEMO_KEY_FILES,
  DEMO_MCH_CERT_SERIAL,
  DEMO_WECHATPAY_PUBLIC_KEY_ID,
} from '@wxh5/wechat-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaySweep } from '../src/pay/pay-sweep';
import { createPayServices } from '../src/pay/create-pay-services';
import {
  createHttpClient,
  pgExecute,
  randomSuffix,
  startEmulator,
  startTestApi,
  type TestApi,
  type TestEmulator,
} from './support';
import { startFrontDoor, type FrontDoor } from './support/front-door';
import { demoV3Env } from './support/v3-merchant';
import {
  DEMO,
  buildPayNotify,
  notificationsFor,
  orderRow,
  pollUntil,
  postXml,
  sessionCookie,
  testTradeNo,
  insertOrder,
} from './pay-kit';
import { buildV3PayNotify, postNotify } from './pay-v3-kit';

let emulator: TestEmulator;
let aliceOpenId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
});
afterAll(async () => {
  await emulator.close();
});

async function placeOrder(api: TestApi, amountFen: number): Promise<PayWalletResponse> {
  const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
    headers: { cookie: await sessionCookie(api, aliceOpenId) },
    json: { productId: 'tip', amountFen },
  });
  expect(response.status, response.text).toBe(200);
  return response.json<{ data: PayWalletResponse }>().data;
}

const waitForStatus = (api: TestApi, outTradeNo: string, status: string) =>
  pollUntil(
    () => orderRow(api.deps.db, outTradeNo),
    (row) => row?.status === status,
    200,
    50,
  );

describe('the live switch from v2 to v3', () => {
  let dir: string;
  let front: FrontDoor;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxh5-switch-'));
    front = await startFrontDoor();
  });
  afterAll(async () => {
    await front.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'keeps v2 orders on v2 (notifies, console refunds) while new orders go through v3; a v2-signed notify for a v3 order is refused',
    { timeout: 60_000 },
    async () => {
      const sqliteUrl = `sqlite:${join(dir, 'wxh5.sqlite')}`;
      const env = { PUBLIC_BASE_URL: front.url, ALLOWED_CALLBACK_ORIGINS: front.url };
      // Before: API v2 only.
      const before = await startTestApi({ emulatorUrl: emulator.url, sqliteUrl, env });
      front.target(before.url);
      const paidUnderV2 = await placeOrder(before, 400);
      const openUnderV2 = await placeOrder(before, 500);
      expect(paidUnderV2.payParams.signType).toBe('HMAC-SHA256');
      await emulator.control('POST', `/__emulator/orders/${paidUnderV2.outTradeNo}/pay`, {});
      expect((await waitForStatus(before, paidUnderV2.outTradeNo, 'PAID'))?.status).toBe('PAID');
      await before.close();

      // After: WECHAT_PAY_API=v3, the v2 key still configured.
      const after = await startTestApi({
        emulatorUrl: emulator.url,
        sqliteUrl,
        env: { ...env, ...demoV3Env() },
      });
      front.target(after.url);
      try {
        // A v2 order paid after the switch: its v2 notify still verifies and applies.
        await emulator.control('POST', `/__emulator/orders/${openUnderV2.outTradeNo}/pay`, {});
        expect((await waitForStatus(after, openUnderV2.outTradeNo, 'PAID'))?.sign_scheme).toBe('HMAC-SHA256');

        // A refund of a v2 order started in the merchant console: notified in v2 XML, applied.
        await emulator.control('POST', `/__emulator/orders/${paidUnderV2.outTradeNo}/refund`, {});
        const refunded = await waitForStatus(after, paidUnderV2.outTradeNo, 'REFUNDED');
        expect(refunded).toMatchObject({ status: 'REFUNDED', refunded_fen: 400 });

        // An admin refund of a v2 order goes through v2.
        const adminRefund = await createHttpClient(after.url).post(
          `/api/admin/orders/${openUnderV2.outTradeNo}/refund`,
          { headers: { authorization: `Bearer ${after.config.adminToken ?? ''}` }, json: { amountFen: 100 } },
        );
        expect(adminRefund.status, adminRefund.text).toBe(201);
        const partly = await pollUntil(
          () => orderRow(after.deps.db, openUnderV2.outTradeNo),
          (row) => row?.refunded_fen === 100,
        );
        expect(partly).toMatchObject({ status: 'PAID', refunded_fen: 100 });

        // New orders: v3, RSA.
        const underV3 = await placeOrder(after, 600);
        expect(underV3.payParams.signType).toBe('RSA');
        expect((await orderRow(after.deps.db, underV3.outTradeNo))?.sign_scheme).toBe('RSA');

        // A v2-signed notify (valid v2 key and sign) for the v3 order: refused, order unchanged.
        const forged = await postXml(
          `${after.url}/api/wechat/pay/callback`,
          buildPayNotify({ outTradeNo: underV3.outTradeNo, totalFee: 600, openid: aliceOpenId }),
        );
        expect(forged.returnCode).toBe('FAIL');
        expect((await orderRow(after.deps.db, underV3.outTradeNo))?.status).toBe('PENDING');
        expect((await notificationsFor(after.deps.db, underV3.outTradeNo)).map((r) => r.verdict)).toEqual([
          'sign_type_mismatch',
        ]);

        // And the v3 order pays through v3.
        await emulator.control('POST', `/__emulator/orders/${underV3.outTradeNo}/pay`, {});
        expect((await waitForStatus(after, underV3.outTradeNo, 'PAID'))?.status).toBe('PAID');
      } finally {
        await after.close();
      }
    },
  );
});

describe('faults on v3 (prepay, query, refund)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      emulatorUrl: emulator.url,
      // The sweep runs back to back here: every pass may ask again about the same order (issue 12's recheck interval).
      env: { ...demoV3Env(), WECHAT_TIMEOUT_MS: '500', PAY_SWEEP_RECHECK_SECONDS: '0' },
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['http500', 503],
    ['timeout', 503],
    ['systemerror', 503],
    ['frequency_limited', 503],
  ] as const)(
    'answers %s during prepay with %i, keeping the order PENDING',
    { timeout: 30_000 },
    async (kind, status) => {
      await emulator.control('POST', '/__emulator/faults', {
        endpoint: '/v3/pay/transactions/jsapi',
        kind,
        count: 3,
      });
      const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
        headers: { cookie: await sessionCookie(api, aliceOpenId) },
        json: { productId: 'tip', amountFen: 42 },
      });
      expect(response.status).toBe(status);
      expect(response.json<{ error: string }>().error).toBe('wechat_unavailable');
      const rows = await api.deps.db
        .selectFrom('orders')
        .selectAll()
        .where('amount_fen', '=', 42)
        .orderBy('id', 'desc')
        .limit(1)
        .execute();
      expect(rows[0]?.status).toBe('PENDING');
      expect(rows[0]?.prepay_id).toBeNull();
      await emulator
        .control('POST', '/__emulator/faults', { endpoint: '/v3/pay/transactions/jsapi', kind, count: 0 })
        .catch(() => undefined);
    },
  );

  it(
    'reconciles later: a query that fails (500, 429) leaves the order, the next sweep pays it',
    { timeout: 30_000 },
    async () => {
      const { outTradeNo } = await placeOrder(api, 43);
      await emulator.control('POST', '/__emulator/faults', { endpoint: 'notify', kind: 'drop', count: 50 });
      await emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
      await api.deps.db
        .updateTable('orders')
        .set({ created_at: new Date(Date.now() - 60_000).toISOString() })
        .where('out_trade_no', '=', outTradeNo)
        .execute();
      const services = createPayServices(api.deps);
      await emulator.control('POST', '/__emulator/faults', {
        endpoint: `/v3/pay/transactions/out-trade-no/${outTradeNo}`,
        kind: 'http500',
        count: 3,
      });
      const failed = await runPaySweep(api.deps, services);
      expect(failed.errors).toBeGreaterThan(0);
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
      await emulator.control('POST', '/__emulator/faults', {
        endpoint: `/v3/pay/transactions/out-trade-no/${outTradeNo}`,
        kind: 'frequency_limited',
        count: 3,
      });
      expect((await runPaySweep(api.deps, services)).errors).toBeGreaterThan(0);
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
      await runPaySweep(api.deps, services);
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PAID');
      await emulator.control('POST', '/__emulator/reset');
    },
  );

  it(
    'keeps a refund PROCESSING when WeChat is down, then the sweep submits it again with the same out_refund_no',
    { timeout: 30_000 },
    async () => {
      const { outTradeNo } = await placeOrder(api, 44);
      await emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
      await waitForStatus(api, outTradeNo, 'PAID');
      await emulator.control('POST', '/__emulator/faults', {
        endpoint: '/v3/refund/domestic/refunds',
        kind: 'systemerror',
        count: 3,
      });
      const refund = await createHttpClient(api.url).post(`/api/admin/orders/${outTradeNo}/refund`, {
        headers: { authorization: `Bearer ${api.config.adminToken ?? ''}` },
        json: { amountFen: 44 },
      });
      expect(refund.status).toBe(503);
      const rows = await api.deps.db
        .selectFrom('refunds')
        .selectAll()
        .where('out_trade_no', '=', outTradeNo)
        .execute();
      expect(rows).toMatchObject([{ status: 'PROCESSING' }]);
      await api.deps.db
        .updateTable('refunds')
        .set({
          created_at: new Date(Date.now() - 60_000).toISOString(),
          updated_at: new Date(Date.now() - 60_000).toISOString(),
        })
        .where('out_trade_no', '=', outTradeNo)
        .execute();
      await runPaySweep(api.deps, createPayServices(api.deps));
      const done = await waitForStatus(api, outTradeNo, 'REFUNDED');
      expect(done).toMatchObject({ status: 'REFUNDED', refunded_fen: 44 });
    },
  );
});

describe('three api instances on PostgreSQL + Redis, v3 migrating (public key + downloaded certificates)', () => {
  const fleet: TestApi[] = [];
  const schema = `api_v3fleet_${randomSuffix()}`;
  beforeAll(async () => {
    await pgExecute(`create schema "${schema}"`);
    // The demo merchant moves to the migration: its public key stays, a platform certificate appears.
    await emulator.control('POST', '/__emulator/merchants', {
      mchId: DEMO.mchId,
      key: DEMO.payKey,
      appIds: [DEMO.appId],
      v3: {
        apiV3Key: DEMO_API_V3_KEY,
        certSerialNo: DEMO_MCH_CERT_SERIAL,
        merchantPublicKeyPem: createPublicKey(
          loadMerchantPrivateKey(readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8')),
        )
          .export({ type: 'spki', format: 'pem' })
          .toString(),
        mode: 'migrating',
      },
    });
    const keys = await emulator.control<{ publicKeyId: string }>(
      'GET',
      `/__emulator/merchants/${DEMO.mchId}/wechatpay-keys`,
    );
    expect(keys.publicKeyId).toBe(DEMO_WECHATPAY_PUBLIC_KEY_ID);
    const cacheNamespace = `v3fleet-${randomSuffix()}`;
    for (let i = 0; i < 3; i += 1) {
      fleet.push(
        await startTestApi({
          emulatorUrl: emulator.url,
          database: 'postgres',
          sharedSchema: schema,
          redis: true,
          cacheNamespace,
          env: { ...demoV3Env(), WECHAT_PAY_PLATFORM_CERTS: 'auto' },
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await fleet[0]?.deps.cache.clear();
    await Promise.all(fleet.map((api) => api.close()));
    await pgExecute(`drop schema if exists "${schema}" cascade`);
    await emulator.control('POST', '/__emulator/reset');
  });

  it('downloads the platform certificates once for the whole fleet', { timeout: 30_000 }, async () => {
    const before = (await emulator.counters()).endpoints['/v3/certificates'] ?? 0;
    const orders = await Promise.all(fleet.flatMap((api) => [placeOrder(api, 11), placeOrder(api, 12)]));
    expect(orders.every((order) => order.payParams.signType === 'RSA')).toBe(true);
    const after = (await emulator.counters()).endpoints['/v3/certificates'] ?? 0;
    expect(after - before).toBe(1);
    // wxh5_credential_refreshes_total says so too: one successful download across the three instances' counters.
    const downloads = await Promise.all(
      fleet.map(async (api) =>
        (await api.deps.metrics.credentialRefreshes.get()).values
          .filter((v) => v.labels.kind === 'platform_certificates' && v.labels.outcome === 'ok')
          .reduce((sum, v) => sum + v.value, 0),
      ),
    );
    expect(downloads.reduce((sum, n) => sum + n, 0)).toBe(1);
  });

  it(
    'moves an order once when 50 copies of its v3 notify hit three instances (one PostgreSQL)',
    { timeout: 30_000 },
    async () => {
      const outTradeNo = testTradeNo('Q');
      const db = fleet[0]!.deps.db;
      await insertOrder(db, { outTradeNo, amountFen: 321, signType: 'RSA' });
      const notify = buildV3PayNotify({ outTradeNo, totalFen: 321 });
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postNotify(`${fleet[i % 3]!.url}/api/wechat/pay/callback`, notify),
        ),
      );
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      const verdicts = (await notificationsFor(db, outTradeNo)).map((row) => row.verdict);
      expect(verdicts.filter((verdict) => verdict === 'accepted')).toHaveLength(1);
      expect(verdicts.filter((verdict) => verdict === 'duplicate')).toHaveLength(49);
      expect((await orderRow(db, outTradeNo))?.status).toBe('PAID');
    },
  );
});
