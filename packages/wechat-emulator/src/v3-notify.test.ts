import { describe, expect, it, vi } from 'vitest';
import {
  V3SignatureError,
  buildJsapiPayParamsV3,
  decryptAeadAesGcm,
  parseXml,
  readWechatpayHeaders,
} from '@wxh5/wechat-core';
import { DEMO_APP_ID, DEMO_MCH_ID, DEMO_PAY_KEY, openidFor } from './index';
import type { NotifyLogEntry } from './index';
import { startNotifyReceiver } from './testing/notify-receiver';
import { callV3, demoV3Merchant, merchantVerifier, registerV3Merchant } from './testing/pay-v3-client';
import type { V3Merchant } from './testing/pay-v3-client';
import { useEmulatorWithReceiver } from './testing/use-emulator-with-receiver';
import { waitUntil } from './testing/wait-until';

const t = useEmulatorWithReceiver();
// RSA-2048 key generation (each new merchant, each platform certificate) is slow on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });
const alice = openidFor(DEMO_APP_ID, 'alice');
const PAGE = 'http://localhost:3000/pay';

async function control(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${t.emulator.url}/__emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function placeAndPay(
  merchant: V3Merchant,
  outTradeNo: string,
  notifyUrl = t.receiver.url,
): Promise<void> {
  const placed = await callV3(t.emulator.url, merchant, 'POST', '/v3/pay/transactions/jsapi', {
    appid: DEMO_APP_ID,
    mchid: merchant.mchId,
    description: '测试',
    out_trade_no: outTradeNo,
    notify_url: notifyUrl,
    amount: { total: 500 },
    payer: { openid: alice },
  });
  expect(placed.status).toBe(200);
  await control(`/orders/${outTradeNo}/pay`, { mchId: merchant.mchId });
}

function v3Entries(): NotifyLogEntry[] {
  return t.emulator.notifies().filter((entry) => entry.api === 'v3');
}

/** Verifies a received v3 notify as a merchant does and returns the decrypted resource. */
function openNotify(
  merchant: V3Merchant,
  n: number,
): { via: string; event: Record<string, unknown>; resource: Record<string, unknown> } {
  const received = t.receiver.requests[n];
  if (!received) throw new Error(`no notify #${n}`);
  const verified = merchantVerifier(merchant.keys).verify(
    readWechatpayHeaders(received.headers, received.body),
  );
  const event = JSON.parse(received.body) as {
    resource: { ciphertext: string; nonce: string; associated_data: string };
  };
  return {
    via: verified.via,
    event,
    resource: JSON.parse(decryptAeadAesGcm(event.resource, merchant.apiV3Key)) as Record<string, unknown>,
  };
}

describe('v3 pay notifies in each verification mode', () => {
  it('public-key mode: TRANSACTION.SUCCESS signed with the public key, the Transaction encrypted with the APIv3 key', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    await placeAndPay(merchant, 'V3NOTIFY01');
    await t.receiver.waitForCount(1);
    const { via, event, resource } = openNotify(merchant, 0);
    expect(via).toBe('publicKey');
    expect(event).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        original_type: 'transaction',
        associated_data: 'transaction',
      },
    });
    expect(resource).toMatchObject({
      out_trade_no: 'V3NOTIFY01',
      trade_state: 'SUCCESS',
      amount: { total: 500 },
      payer: { openid: alice },
    });
    expect(t.receiver.requests[0]?.headers['content-type']).toBe('application/json');
    expect(t.receiver.requests[0]?.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
  });

  it('platform-certificate mode: signed with the certificate, refused by a public-key-only verifier', async () => {
    const merchant = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000300',
      appIds: [DEMO_APP_ID],
      mode: 'platformCertificate',
    });
    await placeAndPay(merchant, 'V3NOTIFY02');
    await t.receiver.waitForCount(1);
    expect(openNotify(merchant, 0).via).toBe('platformCertificate');
    const received = t.receiver.requests[0];
    const demo = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    expect(() =>
      merchantVerifier(demo.keys).verify(readWechatpayHeaders(received?.headers ?? {}, received?.body ?? '')),
    ).toThrow(V3SignatureError);
  });

  it('migrating mode: publicKeyShare 1 signs every delivery with the public key, 0 with the certificate; a combined verifier takes both', async () => {
    const migrating = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000301',
      appIds: [DEMO_APP_ID],
      mode: 'migrating',
      publicKeyShare: 1,
    });
    await placeAndPay(migrating, 'V3NOTIFY03');
    await t.receiver.waitForCount(1);
    expect(openNotify(migrating, 0).via).toBe('publicKey');
    const switched = await registerV3Merchant(
      t.emulator.url,
      { mchId: '1900000301', appIds: [DEMO_APP_ID], mode: 'migrating', publicKeyShare: 0 },
      migrating,
    );
    await placeAndPay(switched, 'V3NOTIFY04');
    await t.receiver.waitForCount(2);
    expect(openNotify(switched, 1).via).toBe('platformCertificate');
    await waitUntil(() => v3Entries().length === 2, 5000, 'both deliveries logged');
    expect(v3Entries().map((entry) => entry.signedBy)).toEqual([
      migrating.keys.publicKeyId,
      migrating.keys.platformCertificates[0]?.serialNo,
    ]);
  });

  it('retries a v3 notify answered 500 and stops at the first 204, re-signing each delivery', async () => {
    const receiver = await startNotifyReceiver((n) =>
      n < 3 ? { status: 500, body: '{"code":"FAIL","message":"失败"}' } : { status: 204, body: '' },
    );
    try {
      const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
      await placeAndPay(merchant, 'V3NOTIFY05', receiver.url);
      await receiver.waitForCount(3);
      await waitUntil(() => t.emulator.pendingNotifies() === 0, 5000, 'the notify sequence to end');
      expect(v3Entries().map((entry) => [entry.attempt, entry.status, entry.ok])).toEqual([
        [1, 500, false],
        [2, 500, false],
        [3, 204, true],
      ]);
      const nonces = receiver.requests.map((request) => request.headers['wechatpay-nonce']);
      expect(new Set(nonces).size).toBe(3);
      expect(new Set(receiver.bodies).size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('sends duplicates on purpose and drops a delivery when told to', async () => {
    await control('/notify-settings', { duplicates: 1 });
    await control('/faults', { endpoint: 'notify', kind: 'drop' });
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    await placeAndPay(merchant, 'V3NOTIFY06');
    await waitUntil(() => v3Entries().some((entry) => entry.ok), 5000, 'a delivered copy');
    const firstAttempt = v3Entries().filter((entry) => entry.attempt === 1);
    expect(firstAttempt).toHaveLength(2);
    expect(firstAttempt.filter((entry) => entry.dropped)).toHaveLength(1);
  });
});

describe('signature probes', () => {
  it('logs that a merchant refused a WECHATPAY/SIGNTEST/ probe', async () => {
    const refusing = await startNotifyReceiver((_, body, headers) => {
      const signature = String(headers['wechatpay-signature'] ?? '');
      return signature.startsWith('WECHATPAY/SIGNTEST/')
        ? { status: 401, body: '{"code":"FAIL","message":"签名错误"}' }
        : { status: 200, body: body.slice(0, 0) };
    });
    try {
      const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
      await placeAndPay(merchant, 'V3PROBE001', refusing.url);
      await refusing.waitForCount(1);
      const entry = await control('/notifies/V3PROBE001/probe');
      expect(entry).toMatchObject({ probe: true, status: 401, refused: true });
      expect(String(refusing.requests[1]?.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//);
    } finally {
      await refusing.close();
    }
  });

  it('logs that a careless merchant accepted the probe, and never retries a probe', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    const accepting = await startNotifyReceiver(() => ({ status: 200, body: '' }));
    try {
      await placeAndPay(merchant, 'V3PROBE002', accepting.url);
      await accepting.waitForCount(1);
      expect(await control('/notifies/V3PROBE002/probe')).toMatchObject({
        probe: true,
        status: 200,
        refused: false,
      });
      await waitUntil(() => t.emulator.pendingNotifies() === 0, 5000, 'no pending deliveries');
      expect(accepting.requests).toHaveLength(2);
    } finally {
      await accepting.close();
    }
  });
});

describe('v3 refund notifies', () => {
  it.each(['SUCCESS', 'ABNORMAL', 'CLOSED'] as const)(
    'sends REFUND.%s with the refund_status in the resource',
    async (status) => {
      const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
      const receiver = await startNotifyReceiver(() => ({ status: 200, body: '' }));
      try {
        await placeAndPay(merchant, 'V3REFUND01', receiver.url);
        await control('/refund-outcome', { status });
        const refund = await callV3(t.emulator.url, merchant, 'POST', '/v3/refund/domestic/refunds', {
          out_trade_no: 'V3REFUND01',
          out_refund_no: 'R-1',
          amount: { refund: 100, total: 500, currency: 'CNY' },
        });
        expect(refund.json?.status).toBe(status);
        await receiver.waitForCount(2);
        const request = receiver.requests[1];
        merchantVerifier(merchant.keys).verify(
          readWechatpayHeaders(request?.headers ?? {}, request?.body ?? ''),
        );
        const event = JSON.parse(request?.body ?? '{}') as {
          event_type: string;
          resource: { ciphertext: string; nonce: string; associated_data: string };
        };
        expect(event.event_type).toBe(`REFUND.${status}`);
        expect(JSON.parse(decryptAeadAesGcm(event.resource, merchant.apiV3Key))).toMatchObject({
          out_refund_no: 'R-1',
          refund_status: status,
          amount: { refund: 100, total: 500 },
        });
      } finally {
        await receiver.close();
      }
    },
  );

  it('notifies a console refund of a v3 merchant in v2 XML when it has a v2 key, and in v3 when it has none', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    await placeAndPay(merchant, 'V3CONSOLE1');
    await t.receiver.waitForCount(1);
    expect(await control('/orders/V3CONSOLE1/refund', { refundFee: 100 })).toMatchObject({
      status: 'SUCCESS',
    });
    await t.receiver.waitForCount(2);
    const xml = parseXml(t.receiver.bodies[1] ?? '');
    expect(xml).toMatchObject({ return_code: 'SUCCESS', mch_id: DEMO_MCH_ID });
    expect(xml.req_info).toBeTruthy();
    expect(DEMO_PAY_KEY).toHaveLength(32);

    const v3Only = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000302',
      appIds: [DEMO_APP_ID],
      mode: 'publicKey',
    });
    await placeAndPay(v3Only, 'V3CONSOLE2');
    await t.receiver.waitForCount(3);
    await control('/orders/V3CONSOLE2/refund', { mchId: '1900000302', refundFee: 100 });
    await t.receiver.waitForCount(4);
    expect(JSON.parse(t.receiver.bodies[3] ?? '{}')).toMatchObject({ event_type: 'REFUND.SUCCESS' });
  });
});

describe('the bridge with RSA pay params', () => {
  async function bridge(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${t.emulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  it('pays a v3 order whose paySign the merchant key made, and refuses other keys, MD5 and a missing signType', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    const placed = await callV3(t.emulator.url, merchant, 'POST', '/v3/pay/transactions/jsapi', {
      appid: DEMO_APP_ID,
      mchid: DEMO_MCH_ID,
      description: '测试',
      out_trade_no: 'V3BRIDGE01',
      notify_url: t.receiver.url,
      amount: { total: 500 },
      payer: { openid: alice },
    });
    const prepayId = String(placed.json?.prepay_id);
    const params = buildJsapiPayParamsV3({ appId: DEMO_APP_ID, prepayId, privateKey: merchant.privateKey });
    const other = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000303',
      appIds: [DEMO_APP_ID],
      mode: 'publicKey',
    });
    const forged = buildJsapiPayParamsV3({ appId: DEMO_APP_ID, prepayId, privateKey: other.privateKey });
    for (const [bad, message] of [
      [forged, /支付验证签名失败/],
      [{ ...params, signType: 'MD5' }, /signType/],
      [{ ...params, signType: 'SHA1' }, /signType/],
      [{ ...params, timeStamp: String(Number(params.timeStamp) + 1) }, /支付验证签名失败/],
    ] as const) {
      expect(await bridge('/__bridge/pay/prepare', { params: bad, url: PAGE })).toMatchObject({
        ok: false,
        err_desc: expect.stringMatching(message) as unknown,
      });
    }
    expect(await bridge('/__bridge/pay/prepare', { params, url: PAGE })).toMatchObject({ ok: true });
    expect(await bridge('/__bridge/pay', { params, url: PAGE })).toMatchObject({ ok: true });
    await t.receiver.waitForCount(1);
    expect(openNotify(merchant, 0).resource).toMatchObject({
      out_trade_no: 'V3BRIDGE01',
      trade_state: 'SUCCESS',
    });
  });
});
