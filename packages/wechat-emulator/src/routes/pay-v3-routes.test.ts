import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { V3SignatureError, decryptAeadAesGcm, loadPlatformCertificate } from '@wxh5/wechat-core';
import { DEMO_APP_ID, DEMO_MCH_ID, openidFor } from '../index';
import { callV3, demoV3Merchant, registerV3Merchant } from '../testing/pay-v3-client';
import type { V3Answer, V3CallOptions, V3Merchant } from '../testing/pay-v3-client';
import { useEmulatorWithReceiver } from '../testing/use-emulator-with-receiver';

const t = useEmulatorWithReceiver();
// RSA-2048 key generation (each new merchant, each platform certificate) is slow on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });
const alice = openidFor(DEMO_APP_ID, 'alice');
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function order(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: DEMO_APP_ID,
    mchid: DEMO_MCH_ID,
    description: 'wxh5 测试-充值',
    out_trade_no: 'V3ORDER0001',
    notify_url: t.receiver.url,
    amount: { total: 1234, currency: 'CNY' },
    payer: { openid: alice },
    ...overrides,
  };
}

async function demo(): Promise<V3Merchant> {
  return demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
}

async function place(merchant: V3Merchant, body = order(), options?: V3CallOptions): Promise<V3Answer> {
  return callV3(t.emulator.url, merchant, 'POST', '/v3/pay/transactions/jsapi', body, options);
}

async function payByControl(outTradeNo: string): Promise<void> {
  const response = await fetch(`${t.emulator.url}/__emulator/orders/${outTradeNo}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(response.status).toBe(200);
}

function expectError(answer: V3Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.json?.code }).toEqual({ status, code });
  expect(typeof answer.json?.message).toBe('string');
}

function expectSigned(answer: V3Answer): void {
  expect(answer.verified).not.toBeInstanceOf(V3SignatureError);
  expect(answer.headers.get('request-id')).toMatch(/^[0-9A-F]{32}$/);
}

describe('POST /v3/pay/transactions/jsapi', () => {
  it('answers a prepay_id, signed with the WeChat Pay public key the request names', async () => {
    const merchant = await demo();
    const answer = await place(merchant);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ prepay_id: expect.stringMatching(/^wx\d{14}[a-z0-9]{20}$/) as unknown });
    expectSigned(answer);
    expect(answer.verified).toMatchObject({ via: 'publicKey', serial: merchant.keys.publicKeyId });
  });

  it('returns the same prepay_id for the same parameters and OUT_TRADE_NO_USED (403) for others', async () => {
    const merchant = await demo();
    const first = await place(merchant);
    const again = await place(merchant);
    expect(again.json?.prepay_id).toBe(first.json?.prepay_id);
    const changed = await place(merchant, order({ amount: { total: 1, currency: 'CNY' } }));
    expectError(changed, 403, 'OUT_TRADE_NO_USED');
    expectSigned(changed);
  });

  it('refuses a paid order with ORDERPAID and a closed one with ORDER_CLOSED', async () => {
    const merchant = await demo();
    await place(merchant);
    await payByControl('V3ORDER0001');
    expectError(await place(merchant), 400, 'ORDERPAID');
    await place(merchant, order({ out_trade_no: 'V3ORDER0002' }));
    const close = await callV3(
      t.emulator.url,
      merchant,
      'POST',
      '/v3/pay/transactions/out-trade-no/V3ORDER0002/close',
      {
        mchid: DEMO_MCH_ID,
      },
    );
    expect(close.status).toBe(204);
    expectError(await place(merchant, order({ out_trade_no: 'V3ORDER0002' })), 400, 'ORDER_CLOSED');
  });

  it.each([
    ['an out_trade_no of 5 characters', { out_trade_no: 'ABCDE' }, '/out_trade_no'],
    ['an out_trade_no of 33 characters', { out_trade_no: 'A'.repeat(33) }, '/out_trade_no'],
    ['an out_trade_no with a dot', { out_trade_no: 'ABC.DEF' }, '/out_trade_no'],
    ['a description of 128 bytes', { description: 'a'.repeat(128) }, '/description'],
    ['a description of 43 Chinese characters (129 bytes)', { description: '测'.repeat(43) }, '/description'],
    ['no description', { description: undefined }, '/description'],
    [
      'an http notify_url to another host',
      { notify_url: 'http://merchant.example.com/notify' },
      '/notify_url',
    ],
    ['a notify_url with a query', { notify_url: 'https://merchant.example.com/notify?x=1' }, '/notify_url'],
    ['an amount of 0', { amount: { total: 0 } }, '/amount/total'],
    ['a fractional amount', { amount: { total: 1.5 } }, '/amount/total'],
    ['an amount as a string', { amount: { total: '100' } }, '/amount/total'],
    ['a currency other than CNY', { amount: { total: 100, currency: 'USD' } }, '/amount/currency'],
    ['no payer', { payer: undefined }, '/payer/openid'],
    [
      'an openid of another app',
      { payer: { openid: openidFor('wx0000000000000001', 'alice') } },
      '/payer/openid',
    ],
    ['a time_expire without an offset', { time_expire: '2030-01-01T10:00:00' }, '/time_expire'],
    ['an impossible time_expire', { time_expire: '2030-02-30T10:00:00+08:00' }, '/time_expire'],
    ['a time_expire in the past', { time_expire: '2020-01-01T10:00:00+08:00' }, '/time_expire'],
  ])('refuses %s with 400 PARAM_ERROR naming the field', async (_, change, field) => {
    const answer = await place(await demo(), order(change));
    expectError(answer, 400, 'PARAM_ERROR');
    expect((answer.json?.detail as { field?: string } | undefined)?.field).toBe(field);
    expectSigned(answer);
  });

  it('accepts a notify_url to this machine over plain http and an https one', async () => {
    const merchant = await demo();
    expect(
      (await place(merchant, order({ out_trade_no: 'V3HTTPS001', notify_url: 'https://m.example.com/n' })))
        .status,
    ).toBe(200);
    expect((await place(merchant)).status).toBe(200);
  });

  it('refuses an appid not bound to the merchant with APPID_MCHID_NOT_MATCH', async () => {
    const answer = await place(await demo(), order({ appid: 'wx0000000000000001' }));
    expectError(answer, 400, 'APPID_MCHID_NOT_MATCH');
  });

  it('refuses a body mchid other than the signed one, and a body that is not JSON', async () => {
    const merchant = await demo();
    expectError(await place(merchant, order({ mchid: '1900000110' })), 400, 'INVALID_REQUEST');
    expectError(await place(merchant, '{"appid":' as unknown as Record<string, unknown>), 400, 'PARAM_ERROR');
  });
});

describe('POST /v3/pay/transactions/jsapi: time_expire and transport faults', () => {
  it('takes time_expire only on the first order: the same value again is fine, another is OUT_TRADE_NO_USED', async () => {
    const merchant = await demo();
    const expire = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const first = await place(merchant, order({ time_expire: expire }));
    expect(first.status).toBe(200);
    expect((await place(merchant, order({ time_expire: expire }))).json?.prepay_id).toBe(
      first.json?.prepay_id,
    );
    const later = new Date(Date.now() + 7200_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    expectError(await place(merchant, order({ time_expire: later })), 403, 'OUT_TRADE_NO_USED');
  });

  it('answers an http500 fault on a v3 endpoint with a bare 500, then serves the next call', async () => {
    const merchant = await demo();
    await fetch(`${t.emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: '/v3/pay/transactions/jsapi', kind: 'http500' }),
    });
    const failed = await place(merchant);
    expect(failed.status).toBe(500);
    expect(failed.verified).toBeInstanceOf(V3SignatureError);
    expect((await place(merchant)).status).toBe(200);
  });

  it('refuses a body that is not UTF-8 with 400 PARAM_ERROR', async () => {
    const response = await fetch(`${t.emulator.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'x' },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('PARAM_ERROR');
    expect(response.headers.get('request-id')).toMatch(/^[0-9A-F]{32}$/);
  });
});

describe('v3 request authentication', () => {
  it.each([
    ['no Authorization header', { authorization: null }],
    ['another scheme', { authorization: 'Bearer abc' }],
    ['a signature by another key', { signWith: stranger }],
    ['another merchant certificate serial', { serialNo: 'ABCDEF0123456789' }],
    ['a timestamp 301 s old', { timestamp: Math.floor(Date.now() / 1000) - 301 }],
    ['a signature over other bytes', { signedBody: '{"amount":{"total":1}}' }],
  ] as const)('answers 401 SIGN_ERROR to %s', async (_, options) => {
    const answer = await place(await demo(), order(), options);
    expectError(answer, 401, 'SIGN_ERROR');
  });

  it('signs even the 401 answers of a known merchant', async () => {
    const answer = await place(await demo(), order(), { signWith: stranger });
    expectSigned(answer);
  });

  it('requires Wechatpay-Serial in public-key mode (400 INVALID_REQUEST) and refuses a wrong one', async () => {
    const merchant = await demo();
    expectError(await place(merchant, order(), { wechatpaySerial: null }), 400, 'INVALID_REQUEST');
    expectError(
      await place(merchant, order(), { wechatpaySerial: 'PUB_KEY_ID_0000000000' }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('answers MCH_NOT_EXISTS for an unknown merchant', async () => {
    const merchant = await demo();
    expectError(await place({ ...merchant, mchId: '1999999999' }), 400, 'MCH_NOT_EXISTS');
  });

  it('answers v3 faults signed: SYSTEM_ERROR 500 for busy, FREQUENCY_LIMITED 429', async () => {
    const merchant = await demo();
    for (const [kind, status, code] of [
      ['busy', 500, 'SYSTEM_ERROR'],
      ['systemerror', 500, 'SYSTEM_ERROR'],
      ['frequency_limited', 429, 'FREQUENCY_LIMITED'],
    ] as const) {
      const fault = await fetch(`${t.emulator.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: '/v3/pay/transactions/jsapi', kind }),
      });
      expect(fault.status).toBe(200);
      const answer = await place(merchant);
      expectError(answer, status, code);
      expectSigned(answer);
    }
    expect((await place(merchant)).status).toBe(200);
  });

  it('refuses the frequency_limited fault on a v2 endpoint', async () => {
    const fault = await fetch(`${t.emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: '/pay/unifiedorder', kind: 'frequency_limited' }),
    });
    expect(fault.status).toBe(400);
  });
});

describe('v3 queries, close and refunds', () => {
  it('queries an unpaid order by out_trade_no only, and a paid one by transaction_id too', async () => {
    const merchant = await demo();
    await place(merchant);
    const unpaid = await callV3(
      t.emulator.url,
      merchant,
      'GET',
      `/v3/pay/transactions/out-trade-no/V3ORDER0001?mchid=${DEMO_MCH_ID}`,
    );
    expect(unpaid.json).toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: 'V3ORDER0001',
      amount: { total: 1234 },
    });
    expectSigned(unpaid);
    await payByControl('V3ORDER0001');
    const paid = await callV3(
      t.emulator.url,
      merchant,
      'GET',
      `/v3/pay/transactions/out-trade-no/V3ORDER0001?mchid=${DEMO_MCH_ID}`,
    );
    expect(paid.json).toMatchObject({
      trade_state: 'SUCCESS',
      payer: { openid: alice },
      amount: { payer_total: 1234 },
    });
    expect(paid.json?.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    const byId = await callV3(
      t.emulator.url,
      merchant,
      'GET',
      `/v3/pay/transactions/id/${String(paid.json?.transaction_id)}?mchid=${DEMO_MCH_ID}`,
    );
    expect(byId.json).toEqual(paid.json);
  });

  it('answers 404 RESOURCE_NOT_EXISTS for an unknown order and 400 without ?mchid=', async () => {
    const merchant = await demo();
    expectError(
      await callV3(
        t.emulator.url,
        merchant,
        'GET',
        `/v3/pay/transactions/out-trade-no/NOPE000001?mchid=${DEMO_MCH_ID}`,
      ),
      404,
      'RESOURCE_NOT_EXISTS',
    );
    expectError(
      await callV3(
        t.emulator.url,
        merchant,
        'GET',
        `/v3/pay/transactions/id/4200000000?mchid=${DEMO_MCH_ID}`,
      ),
      404,
      'RESOURCE_NOT_EXISTS',
    );
    expectError(
      await callV3(t.emulator.url, merchant, 'GET', '/v3/pay/transactions/out-trade-no/NOPE000001'),
      400,
      'PARAM_ERROR',
    );
  });

  it('closes with a signed, empty 204, again 204, and refuses to close a paid order', async () => {
    const merchant = await demo();
    await place(merchant);
    const path = '/v3/pay/transactions/out-trade-no/V3ORDER0001/close';
    const first = await callV3(t.emulator.url, merchant, 'POST', path, { mchid: DEMO_MCH_ID });
    expect({ status: first.status, text: first.text }).toEqual({ status: 204, text: '' });
    expectSigned(first);
    expect((await callV3(t.emulator.url, merchant, 'POST', path, { mchid: DEMO_MCH_ID })).status).toBe(204);
    await place(merchant, order({ out_trade_no: 'V3ORDER0003' }));
    await payByControl('V3ORDER0003');
    expectError(
      await callV3(t.emulator.url, merchant, 'POST', '/v3/pay/transactions/out-trade-no/V3ORDER0003/close', {
        mchid: DEMO_MCH_ID,
      }),
      400,
      'ORDERPAID',
    );
  });

  it('refunds a paid order once per out_refund_no and queries the refund', async () => {
    const merchant = await demo();
    await place(merchant);
    await payByControl('V3ORDER0001');
    const refund = {
      out_trade_no: 'V3ORDER0001',
      out_refund_no: 'R3-0001',
      amount: { refund: 234, total: 1234, currency: 'CNY' },
    };
    const first = await callV3(t.emulator.url, merchant, 'POST', '/v3/refund/domestic/refunds', refund);
    expect(first.json).toMatchObject({
      out_refund_no: 'R3-0001',
      status: 'SUCCESS',
      amount: { refund: 234, total: 1234 },
    });
    expectSigned(first);
    const retry = await callV3(t.emulator.url, merchant, 'POST', '/v3/refund/domestic/refunds', refund);
    expect(retry.json?.refund_id).toBe(first.json?.refund_id);
    const queried = await callV3(t.emulator.url, merchant, 'GET', '/v3/refund/domestic/refunds/R3-0001');
    expect(queried.json).toMatchObject({ refund_id: first.json?.refund_id, status: 'SUCCESS' });
    expectError(
      await callV3(t.emulator.url, merchant, 'GET', '/v3/refund/domestic/refunds/R3-NONE'),
      404,
      'RESOURCE_NOT_EXISTS',
    );
  });

  it.each([
    [
      'an unpaid order',
      'unpaid',
      { out_refund_no: 'R1', amount: { refund: 1, total: 1234, currency: 'CNY' } },
      400,
      'INVALID_REQUEST',
    ],
    [
      'another total',
      'paid',
      { out_refund_no: 'R1', amount: { refund: 1, total: 999, currency: 'CNY' } },
      400,
      'PARAM_ERROR',
    ],
    [
      'more than the total',
      'paid',
      { out_refund_no: 'R1', amount: { refund: 1235, total: 1234, currency: 'CNY' } },
      400,
      'PARAM_ERROR',
    ],
    ['no currency', 'paid', { out_refund_no: 'R1', amount: { refund: 1, total: 1234 } }, 400, 'PARAM_ERROR'],
    ['no out_refund_no', 'paid', { amount: { refund: 1, total: 1234, currency: 'CNY' } }, 400, 'PARAM_ERROR'],
  ] as const)('refuses a refund of %s', async (_, state, body, status, code) => {
    const merchant = await demo();
    await place(merchant);
    if (state === 'paid') await payByControl('V3ORDER0001');
    const answer = await callV3(t.emulator.url, merchant, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: 'V3ORDER0001',
      ...body,
    });
    expectError(answer, status, code);
  });

  it('refuses a refund of an unknown order with 404 RESOURCE_NOT_EXISTS', async () => {
    const answer = await callV3(t.emulator.url, await demo(), 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: 'NOPE000001',
      out_refund_no: 'R1',
      amount: { refund: 1, total: 1, currency: 'CNY' },
    });
    expectError(answer, 404, 'RESOURCE_NOT_EXISTS');
  });
});

describe('GET /v3/certificates and the verification modes', () => {
  it('answers 404 RESOURCE_NOT_EXISTS in public-key mode', async () => {
    const answer = await callV3(t.emulator.url, await demo(), 'GET', '/v3/certificates');
    expectError(answer, 404, 'RESOURCE_NOT_EXISTS');
    expect(answer.json?.message).toMatch(/无可用的平台证书/);
    expectSigned(answer);
  });

  it('hands out platform certificates encrypted with the APIv3 key in platform-certificate mode', async () => {
    const merchant = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000200',
      appIds: [DEMO_APP_ID],
      mode: 'platformCertificate',
    });
    expect(merchant.keys).toMatchObject({
      mode: 'platformCertificate',
      publicKeyId: null,
      publicKeyPem: null,
    });
    const answer = await callV3(t.emulator.url, merchant, 'GET', '/v3/certificates');
    expect(answer.verified).toMatchObject({ via: 'platformCertificate' });
    const [entry] = (answer.json?.data ?? []) as Array<{
      serial_no: string;
      encrypt_certificate: { ciphertext: string; nonce: string; associated_data: string };
    }>;
    const pem = decryptAeadAesGcm(
      entry?.encrypt_certificate ?? { ciphertext: '', nonce: '' },
      merchant.apiV3Key,
    );
    expect(loadPlatformCertificate(pem).serialNo).toBe(entry?.serial_no);
    expect(entry?.serial_no).toBe(merchant.keys.platformCertificates[0]?.serialNo);
  });

  it('while migrating, signs each answer with the key the request names', async () => {
    const merchant = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000201',
      appIds: [DEMO_APP_ID],
      mode: 'migrating',
    });
    const certSerial = merchant.keys.platformCertificates[0]?.serialNo ?? '';
    expect(merchant.keys.publicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    const body = order({ mchid: '1900000201' });
    expect((await place(merchant, body)).verified).toMatchObject({ via: 'publicKey' });
    expect((await place(merchant, body, { wechatpaySerial: certSerial })).verified).toMatchObject({
      via: 'platformCertificate',
      serial: certSerial,
    });
  });

  it('keeps the public key a merchant already has when it changes mode', async () => {
    const before = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000202',
      appIds: [DEMO_APP_ID],
      mode: 'publicKey',
    });
    const after = await registerV3Merchant(
      t.emulator.url,
      { mchId: '1900000202', appIds: [DEMO_APP_ID], mode: 'migrating' },
      before,
    );
    expect(after.keys.publicKeyId).toBe(before.keys.publicKeyId);
    expect(after.keys.platformCertificates).toHaveLength(1);
  });

  it.each([
    [{ apiV3Key: 'short' }, /apiV3Key/],
    [{ certSerialNo: 'not hex!' }, /certSerialNo/],
    [{ merchantPublicKeyPem: 'nope' }, /merchantPublicKeyPem/],
    [{ mode: 'both' }, /mode/],
    [{ mode: 'migrating', publicKeyShare: 2 }, /publicKeyShare/],
  ])('refuses a v3 block with %j', async (change, message) => {
    const pem = (await demo()).keys.publicKeyPem ?? '';
    const response = await fetch(`${t.emulator.url}/__emulator/merchants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        mchId: '1900000203',
        appIds: [DEMO_APP_ID],
        v3: {
          apiV3Key: 'V3TestKey0123456789abcdefABCDEFG',
          certSerialNo: 'ABCDEF01',
          merchantPublicKeyPem: pem,
          mode: 'publicKey',
          ...change,
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('answers wechatpay-keys 404 for a v2-only merchant', async () => {
    await fetch(`${t.emulator.url}/__emulator/merchants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mchId: '1900000204', key: 'K'.repeat(32), appIds: [DEMO_APP_ID] }),
    });
    expect((await fetch(`${t.emulator.url}/__emulator/merchants/1900000204/wechatpay-keys`)).status).toBe(
      404,
    );
  });
});
