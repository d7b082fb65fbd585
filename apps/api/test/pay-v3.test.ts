import type { OrderView, PayWalletResponse } from '@wxh5/contracts';
import { loadMerchantPrivateKey, verifyJsapiPaySignV3 } from '@wxh5/wechat-core';
import { DEMO_KEY_FILES, DEMO_WECHATPAY_PUBLIC_KEY_ID } from '@wxh5/wechat-emulator';
import { createPublicKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, startEmulator, startTestApi, type TestApi, type TestEmulator } from './support';
import { demoV3Env, registerV3TestMerchant, type V3TestMerchant } from './support/v3-merchant';
import {
  DEMO,
  buildPayNotify,
  insertOrder,
  notificationsFor,
  orderRow,
  pollUntil,
  postXml,
  sessionCookie,
  testTradeNo,
  TEST_ADMIN_TOKEN,
} from './pay-kit';
import { OTHER_KEY, buildV3PayNotify, postNotify } from './pay-v3-kit';

const DEMO_MERCHANT_PUBLIC_KEY = createPublicKey(
  loadMerchantPrivateKey(readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8')),
);

let emulator: TestEmulator;
let aliceOpenId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
});
afterAll(async () => {
  await emulator.close();
});

function userOf(api: TestApi, openId: string) {
  const client = createHttpClient(api.url);
  const cookie = () => sessionCookie(api, openId);
  return {
    get: async (path: string) => client.get(path, { headers: { cookie: await cookie() } }),
    post: async (path: string, json?: unknown) =>
      client.post(path, { headers: { cookie: await cookie() }, ...(json === undefined ? {} : { json }) }),
  };
}

async function placeOrder(api: TestApi, amountFen: number): Promise<PayWalletResponse> {
  const response = await userOf(api, aliceOpenId).post('/api/wechat/pay/payWallet', {
    productId: 'tip',
    amountFen,
  });
  expect(response.status, response.text).toBe(200);
  return response.json<{ data: PayWalletResponse }>().data;
}

async function payAtEmulator(outTradeNo: string, mchId: string): Promise<string> {
  const { transactionId } = await emulator.control<{ transactionId: string }>(
    'POST',
    `/__emulator/orders/${outTradeNo}/pay`,
    { mchId },
  );
  return transactionId;
}

async function waitForStatus(api: TestApi, outTradeNo: string, status: string) {
  return pollUntil(
    () => orderRow(api.deps.db, outTradeNo),
    (row) => row?.status === status,
    200,
    50,
  );
}

describe('WeChat Pay v3, public-key mode (the demo merchant)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: emulator.url, env: demoV3Env() });
  });
  afterAll(async () => {
    await api.close();
  });
  const callback = () => `${api.url}/api/wechat/pay/callback`;

  it('places new orders through v3 with RSA pay params signed by the merchant key', async () => {
    const { outTradeNo, payParams } = await placeOrder(api, 321);
    expect(payParams.signType).toBe('RSA');
    expect(verifyJsapiPaySignV3(payParams, DEMO_MERCHANT_PUBLIC_KEY)).toBe(true);
    const row = await orderRow(api.deps.db, outTradeNo);
    expect(row).toMatchObject({ status: 'PENDING', sign_scheme: 'RSA', amount_fen: 321 });
    expect(row?.prepay_id).toBe(payParams.package.slice('prepay_id='.length));
    const atWechat = await emulator.control<Record<string, unknown>>(
      'GET',
      `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
    );
    expect(atWechat).toMatchObject({ trade_state: 'NOTPAY', total_fee: 321, sign_type: 'RSA' });
  });

  it('pays: the signed, encrypted notify moves the order to PAID and is acknowledged with 2xx', async () => {
    const { outTradeNo } = await placeOrder(api, 500);
    const transactionId = await payAtEmulator(outTradeNo, DEMO.mchId);
    const row = await waitForStatus(api, outTradeNo, 'PAID');
    expect(row).toMatchObject({ status: 'PAID', transaction_id: transactionId });
    const log = await pollUntil(
      () =>
        Promise.resolve(
          emulator.control<{ outTradeNo: string; ok: boolean; status: number; api: string }[]>(
            'GET',
            '/__emulator/notifies',
          ),
        ),
      (entries) => entries.some((entry) => entry.outTradeNo === outTradeNo && entry.ok),
    );
    const delivered = log.find((entry) => entry.outTradeNo === outTradeNo && entry.ok);
    expect(delivered).toMatchObject({ api: 'v3', status: 200 });
    const audit = await notificationsFor(api.deps.db, outTradeNo);
    const accepted = audit.find((entry) => entry.verdict === 'accepted');
    // The audit row keeps the signature headers the notify was verified with.
    expect(JSON.parse(accepted?.headers ?? '{}')).toMatchObject({
      'wechatpay-serial': DEMO_WECHATPAY_PUBLIC_KEY_ID,
      'wechatpay-signature': expect.any(String),
      'wechatpay-timestamp': expect.stringMatching(/^\d+$/),
    });
  });

  it('refuses the emulator’s WECHATPAY/SIGNTEST probe of a paid order', async () => {
    const { outTradeNo } = await placeOrder(api, 77);
    await payAtEmulator(outTradeNo, DEMO.mchId);
    await waitForStatus(api, outTradeNo, 'PAID');
    const probe = await emulator.control<{ refused: boolean; status: number }>(
      'POST',
      `/__emulator/notifies/${outTradeNo}/probe`,
      { mchId: DEMO.mchId },
    );
    expect(probe.refused).toBe(true);
    expect(probe.status).toBe(401);
    const audit = await notificationsFor(api.deps.db, null);
    expect(audit.some((entry) => entry.verdict === 'signature_probe')).toBe(true);
  });

  describe('refuses every forged notify, records it and leaves the order PENDING', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, (outTradeNo: string) => ReturnType<typeof buildV3PayNotify>, string][] = [
      [
        'no signature headers',
        (o) =>
          buildV3PayNotify({
            outTradeNo: o,
            totalFen: 100,
            omitHeaders: [
              'wechatpay-signature',
              'wechatpay-serial',
              'wechatpay-timestamp',
              'wechatpay-nonce',
            ],
          }),
        'missing_signature_headers',
      ],
      [
        'a signature by another key',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, signWith: OTHER_KEY }),
        'bad_signature',
      ],
      [
        'a body changed after signing',
        (o) =>
          buildV3PayNotify({
            outTradeNo: o,
            totalFen: 100,
            alterAfterSigning: (b) => b.replace('支付成功', '支付成功 '),
          }),
        'bad_signature',
      ],
      [
        'a serial no configured key has',
        (o) =>
          buildV3PayNotify({
            outTradeNo: o,
            totalFen: 100,
            serial: 'PUB_KEY_ID_0000000000000000000000000000000000',
          }),
        'unknown_serial',
      ],
      [
        'a timestamp 301 s old',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, timestamp: now() - 301 }),
        'stale_timestamp',
      ],
      [
        'a timestamp 301 s ahead',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, timestamp: now() + 301 }),
        'stale_timestamp',
      ],
      [
        'a WECHATPAY/SIGNTEST/ probe',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, probe: true }),
        'signature_probe',
      ],
      [
        'a bad GCM tag',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, tamperCiphertext: true }),
        'bad_resource',
      ],
      [
        'other associated data',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, associatedData: 'refund' }),
        'bad_resource',
      ],
      [
        'a resource encrypted with another APIv3 key',
        (o) =>
          buildV3PayNotify({ outTradeNo: o, totalFen: 100, apiV3Key: 'AnotherApiV3Key0123456789abcdefA' }),
        'bad_resource',
      ],
      [
        'a signed body that is not JSON',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, rawBody: '{"id": "EV-1", ' }),
        'json_not_well_formed',
      ],
      [
        'a signed JSON without a resource',
        (o) =>
          buildV3PayNotify({
            outTradeNo: o,
            totalFen: 100,
            rawBody: '{"id":"EV-1","event_type":"TRANSACTION.SUCCESS"}',
          }),
        'json_wrong_shape',
      ],
      [
        'another appid',
        (o) =>
          buildV3PayNotify({ outTradeNo: o, totalFen: 100, transaction: { appid: 'wx0000000000000000' } }),
        'wrong_appid',
      ],
      [
        'another mchid',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, transaction: { mchid: '1900000999' } }),
        'wrong_mch_id',
      ],
      [
        'no transaction_id',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 100, transaction: { transaction_id: undefined } }),
        'missing_fields',
      ],
      [
        'an amount that differs from the order',
        (o) => buildV3PayNotify({ outTradeNo: o, totalFen: 1 }),
        'amount_mismatch',
      ],
      [
        'a resource about an order that is not ours',
        () => buildV3PayNotify({ outTradeNo: testTradeNo('X'), totalFen: 100 }),
        'unknown_order',
      ],
    ];
    it.each(cases)('%s', async (_name, build, verdict) => {
      const outTradeNo = testTradeNo('F');
      await insertOrder(api.deps.db, { outTradeNo, amountFen: 100, signType: 'RSA' });
      const answer = await postNotify(callback(), build(outTradeNo));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.json).toMatchObject({ code: 'FAIL' });
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
      const audit = await api.deps.db
        .selectFrom('pay_notifications')
        .select(['verdict', 'raw_body'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(audit.verdict).toBe(verdict);
    });
  });

  it('refuses a v2-signed notify for an order placed under v3 (sign scheme mismatch)', async () => {
    const outTradeNo = testTradeNo('M');
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 100, signType: 'RSA' });
    const answer = await postXml(callback(), buildPayNotify({ outTradeNo, totalFee: 100 }));
    expect(answer.returnCode).toBe('FAIL');
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
    const audit = await notificationsFor(api.deps.db, outTradeNo);
    expect(audit.map((entry) => entry.verdict)).toEqual(['sign_type_mismatch']);
  });

  it(
    'turns 50 concurrent copies of one v3 notify into exactly one PENDING → PAID',
    { timeout: 30_000 },
    async () => {
      const outTradeNo = testTradeNo('D');
      await insertOrder(api.deps.db, { outTradeNo, amountFen: 250, signType: 'RSA' });
      const notify = buildV3PayNotify({ outTradeNo, totalFen: 250 });
      const answers = await Promise.all(Array.from({ length: 50 }, () => postNotify(callback(), notify)));
      expect(answers.every((answer) => answer.status === 200 && answer.json?.code === 'SUCCESS')).toBe(true);
      const audit = await notificationsFor(api.deps.db, outTradeNo);
      expect(audit.filter((entry) => entry.verdict === 'accepted')).toHaveLength(1);
      expect(audit.filter((entry) => entry.verdict === 'duplicate')).toHaveLength(49);
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PAID');
    },
  );

  it('acknowledges a genuine notify whose transaction did not succeed, moving nothing', async () => {
    const outTradeNo = testTradeNo('N');
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 100, signType: 'RSA' });
    const answer = await postNotify(
      callback(),
      buildV3PayNotify({ outTradeNo, totalFen: 100, transaction: { trade_state: 'PAYERROR' } }),
    );
    expect(answer.status).toBe(200);
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
  });

  it('closes an unpaid order at WeChat (204) and here', async () => {
    const { outTradeNo } = await placeOrder(api, 90);
    const closed = await userOf(api, aliceOpenId).post(`/api/wechat/pay/orders/${outTradeNo}/close`);
    expect(closed.status, closed.text).toBe(200);
    expect(closed.json<{ data: OrderView }>().data.status).toBe('CLOSED');
    const atWechat = await emulator.control<Record<string, unknown>>(
      'GET',
      `/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`,
    );
    expect(atWechat.trade_state).toBe('CLOSED');
  });

  it('refunds a paid order through v3 and applies the REFUND.SUCCESS notify', async () => {
    const { outTradeNo } = await placeOrder(api, 800);
    await payAtEmulator(outTradeNo, DEMO.mchId);
    await waitForStatus(api, outTradeNo, 'PAID');
    const refund = await createHttpClient(api.url).post(`/api/admin/orders/${outTradeNo}/refund`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      json: { amountFen: 800, reason: '测试退款' },
    });
    expect(refund.status, refund.text).toBe(201);
    const row = await waitForStatus(api, outTradeNo, 'REFUNDED');
    expect(row).toMatchObject({ status: 'REFUNDED', refunded_fen: 800 });
    const refunds = await api.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .execute();
    expect(refunds).toMatchObject([{ status: 'SUCCESS', amount_fen: 800 }]);
    expect(refunds[0]?.refund_id).toBeTruthy();
  });

  it('reconciles a paid order whose notify was lost (the status route queries v3)', async () => {
    const { outTradeNo } = await placeOrder(api, 66);
    await emulator.control('POST', '/__emulator/faults', { endpoint: 'notify', kind: 'drop', count: 100 });
    try {
      const transactionId = await payAtEmulator(outTradeNo, DEMO.mchId);
      // Older than PAY_RECONCILE_AFTER_SECONDS: backdate the order instead of waiting.
      await api.deps.db
        .updateTable('orders')
        .set({ created_at: new Date(Date.now() - 60_000).toISOString() })
        .where('out_trade_no', '=', outTradeNo)
        .execute();
      const status = await userOf(api, aliceOpenId).get(`/api/wechat/pay/orders/${outTradeNo}`);
      expect(status.status).toBe(200);
      expect(status.json<{ data: OrderView }>().data).toMatchObject({ status: 'PAID', transactionId });
    } finally {
      await emulator.control('POST', '/__emulator/reset').catch(() => undefined);
    }
  });
});

describe.each([
  ['platformCertificate (downloaded)', 'platformCertificate', 'auto'],
  ['platformCertificate (files)', 'platformCertificate', 'dir'],
  ['migrating (public key + downloaded certificates, mixed notify signers)', 'migrating', 'auto'],
] as const)('WeChat Pay v3 in %s mode', (_name, mode, certificates) => {
  let merchant: V3TestMerchant;
  let api: TestApi;
  beforeAll(async () => {
    merchant = await registerV3TestMerchant(emulator, { mode, certificates, publicKeyShare: 0.5 });
    api = await startTestApi({
      emulatorUrl: emulator.url,
      env: { ...merchant.env, WECHAT_PAY_KEY: undefined },
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('pays: prepay, notify, PAID', { timeout: 30_000 }, async () => {
    // Every notify is sent three more times, so both signers of the migration are seen.
    await emulator.control('POST', '/__emulator/notify-settings', {
      duplicates: mode === 'migrating' ? 5 : 0,
    });
    try {
      const orders = await Promise.all([placeOrder(api, 101), placeOrder(api, 102)]);
      for (const { outTradeNo, payParams } of orders) {
        expect(payParams.signType).toBe('RSA');
        await payAtEmulator(outTradeNo, merchant.mchId);
      }
      for (const { outTradeNo } of orders) {
        expect((await waitForStatus(api, outTradeNo, 'PAID'))?.status).toBe('PAID');
      }
      await pollUntil(
        () => Promise.resolve(emulator.pendingNotifies()),
        (n) => n === 0,
      );
      const log = (
        await emulator.control<{ outTradeNo: string; ok: boolean; signedBy: string }[]>(
          'GET',
          '/__emulator/notifies',
        )
      ).filter((entry) => orders.some((order) => order.outTradeNo === entry.outTradeNo));
      expect(log.length).toBeGreaterThan(0);
      expect(log.every((entry) => entry.ok)).toBe(true);
      const signers = new Set(log.map((entry) => entry.signedBy));
      if (mode === 'migrating') {
        expect(signers.has(merchant.keys.publicKeyId ?? '')).toBe(true);
        expect([...signers].some((serial) => serial !== merchant.keys.publicKeyId)).toBe(true);
      } else {
        expect([...signers]).toEqual([merchant.keys.platformCertificates[0]?.serialNo]);
      }
    } finally {
      await emulator.control('POST', '/__emulator/notify-settings', { duplicates: 0 });
    }
  });
});

it('names the missing key when a certificate-mode merchant has no platform certificate (404), without a retry loop', async () => {
  const merchant = await registerV3TestMerchant(emulator, { mode: 'publicKey', certificates: 'auto' });
  const { WECHAT_PAY_PUBLIC_KEY_PATH: _p, WECHAT_PAY_PUBLIC_KEY_ID: _i, ...env } = merchant.env;
  const api = await startTestApi({
    emulatorUrl: emulator.url,
    env: { ...env, WECHAT_PAY_KEY: undefined },
  });
  try {
    const before = (await emulator.counters()).endpoints['/v3/certificates'] ?? 0;
    for (let i = 0; i < 3; i += 1) {
      const response = await userOf(api, aliceOpenId).post('/api/wechat/pay/payWallet', {
        productId: 'tip',
        amountFen: 10,
      });
      expect(response.status).toBe(502);
    }
    const after = (await emulator.counters()).endpoints['/v3/certificates'] ?? 0;
    // One download attempt, then the configuration error is remembered (an hour) instead of asked again.
    expect(after - before).toBe(1);
  } finally {
    await api.close();
  }
});

describe('WeChat Pay v3 keys are parsed once, at start-up', () => {
  it(
    'signs requests and verifies answers and notifies after its key files are gone',
    { timeout: 30_000 },
    async () => {
      // Issue 16: "keep private keys parsed once". A signer that went back to the files (or to their PEM text) for
      // each request would fail here: the api starts, the files are deleted, and it must still sign the prepay
      // (checked by the emulator with the merchant's public key), verify WeChat's answer and verify the notify.
      const merchant = await registerV3TestMerchant(emulator, { mode: 'publicKey' });
      const api = await startTestApi({
        emulatorUrl: emulator.url,
        env: { ...merchant.env, WECHAT_PAY_KEY: undefined },
      });
      try {
        for (const name of ['WECHAT_PAY_MCH_PRIVATE_KEY_PATH', 'WECHAT_PAY_PUBLIC_KEY_PATH'] as const) {
          rmSync(merchant.env[name] ?? '', { force: false });
        }
        const { outTradeNo, payParams } = await placeOrder(api, 205);
        expect(payParams.signType).toBe('RSA');
        await payAtEmulator(outTradeNo, merchant.mchId);
        expect((await waitForStatus(api, outTradeNo, 'PAID'))?.status).toBe('PAID');
      } finally {
        await api.close();
      }
    },
  );
});
