// An SDK we did not write agrees with the emulator: wechatpay-axios-plugin signs its own requests and
// verifies every answer's Wechatpay-* signature with the keys it is given (its response verifier throws
// on a bad or unknown signature), in public-key mode and in platform-certificate mode.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { Wechatpay } from 'wechatpay-axios-plugin';
import { DEMO_APP_ID, DEMO_MCH_ID, openidFor } from './index';
import { DEMO_KEY_FILES } from './v3/wechatpay-keys';
import { demoV3Merchant, registerV3Merchant } from './testing/pay-v3-client';
import type { V3Merchant } from './testing/pay-v3-client';
import { useEmulatorWithReceiver } from './testing/use-emulator-with-receiver';

const t = useEmulatorWithReceiver();
// RSA-2048 key generation (each new merchant, each platform certificate) is slow on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });
const alice = openidFor(DEMO_APP_ID, 'alice');

interface AxiosLikeAnswer {
  status: number;
  data: Record<string, unknown>;
}
// The plugin's chained client is typed loosely; these are the calls used here.
type Chain = Record<string, unknown> & {
  get(config?: unknown): Promise<AxiosLikeAnswer>;
  post(data?: unknown, config?: unknown): Promise<AxiosLikeAnswer>;
};

function client(merchant: V3Merchant, privateKeyPem: string): { wxpay: Chain; serial: string } {
  const certs: Record<string, string> = {};
  if (merchant.keys.publicKeyId && merchant.keys.publicKeyPem)
    certs[merchant.keys.publicKeyId] = merchant.keys.publicKeyPem;
  for (const cert of merchant.keys.platformCertificates) certs[cert.serialNo] = cert.pem;
  const wxpay = new Wechatpay({
    mchid: merchant.mchId,
    serial: merchant.certSerialNo,
    privateKey: privateKeyPem,
    certs,
    baseURL: `${t.emulator.url}/`,
  }) as unknown as Chain;
  return {
    wxpay,
    serial: merchant.keys.publicKeyId ?? merchant.keys.platformCertificates[0]?.serialNo ?? '',
  };
}

function at(chain: Chain, path: string): Chain {
  return path.split('.').reduce((node, part) => node[part] as Chain, chain);
}

async function fullCycle(merchant: V3Merchant, privateKeyPem: string, outTradeNo: string): Promise<void> {
  const { wxpay, serial } = client(merchant, privateKeyPem);
  const headers = { 'Wechatpay-Serial': serial };
  const order = {
    appid: DEMO_APP_ID,
    mchid: merchant.mchId,
    description: 'wxh5 互通测试',
    out_trade_no: outTradeNo,
    notify_url: t.receiver.url,
    amount: { total: 888, currency: 'CNY' },
    payer: { openid: alice },
  };
  const placed = await at(wxpay, 'v3.pay.transactions.jsapi').post(order, { headers });
  expect(placed.status).toBe(200);
  expect(placed.data.prepay_id).toMatch(/^wx/);

  const queried = await at(wxpay, 'v3.pay.transactions.outTradeNo.$out_trade_no$').get({
    params: { mchid: merchant.mchId },
    out_trade_no: outTradeNo,
    headers,
  });
  expect(queried.data).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'NOTPAY' });

  const closeNo = `${outTradeNo}C`;
  await at(wxpay, 'v3.pay.transactions.jsapi').post({ ...order, out_trade_no: closeNo }, { headers });
  const closed = await at(wxpay, 'v3.pay.transactions.outTradeNo.$out_trade_no$.close').post(
    { mchid: merchant.mchId },
    { out_trade_no: closeNo, headers },
  );
  expect(closed.status).toBe(204);

  const paid = await fetch(`${t.emulator.url}/__emulator/orders/${outTradeNo}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mchId: merchant.mchId }),
  });
  expect(paid.status).toBe(200);
  const byId = await at(wxpay, 'v3.pay.transactions.id.$transaction_id$').get({
    params: { mchid: merchant.mchId },
    transaction_id: ((await paid.json()) as { transactionId: string }).transactionId,
    headers,
  });
  expect(byId.data).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS' });

  const refunded = await at(wxpay, 'v3.refund.domestic.refunds').post(
    {
      out_trade_no: outTradeNo,
      out_refund_no: `${outTradeNo}R`,
      amount: { refund: 88, total: 888, currency: 'CNY' },
    },
    { headers },
  );
  expect(refunded.data).toMatchObject({ out_refund_no: `${outTradeNo}R`, status: 'SUCCESS' });
  const refundQuery = await at(wxpay, 'v3.refund.domestic.refunds.$out_refund_no$').get({
    out_refund_no: `${outTradeNo}R`,
    headers,
  });
  expect(refundQuery.data).toMatchObject({ refund_id: refunded.data.refund_id });
}

describe('wechatpay-axios-plugin against the emulator', () => {
  it('places, queries, closes and refunds in public-key mode with its response verification on', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    await fullCycle(merchant, readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8'), 'AXIOSPK001');
  });

  it('does the same in platform-certificate mode', async () => {
    const merchant = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000400',
      appIds: [DEMO_APP_ID],
      mode: 'platformCertificate',
    });
    await fullCycle(
      merchant,
      merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'AXIOSPC001',
    );
  });

  it('refuses an answer signed by a key it was not given (its verifier is really on)', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    const honest = client(merchant, readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8'));
    await at(honest.wxpay, 'v3.pay.transactions.jsapi').post(
      {
        appid: DEMO_APP_ID,
        mchid: DEMO_MCH_ID,
        description: 'x',
        out_trade_no: 'AXIOSBAD01',
        notify_url: t.receiver.url,
        amount: { total: 1 },
        payer: { openid: alice },
      },
      { headers: { 'Wechatpay-Serial': honest.serial } },
    );
    const other = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000401',
      appIds: [DEMO_APP_ID],
      mode: 'publicKey',
    });
    // The demo merchant's client, but trusting another merchant's WeChat Pay public key under the demo's ID.
    const misled = client(
      { ...merchant, keys: { ...merchant.keys, publicKeyPem: other.keys.publicKeyPem } },
      readFileSync(DEMO_KEY_FILES.merchantPrivateKey, 'utf8'),
    );
    await expect(
      at(misled.wxpay, 'v3.pay.transactions.outTradeNo.$out_trade_no$').get({
        params: { mchid: DEMO_MCH_ID },
        out_trade_no: 'AXIOSBAD01',
        headers: { 'Wechatpay-Serial': misled.serial },
      }),
    ).rejects.toThrow(/verif|签名|signature/i);
  });

  it('gets a 401 SIGN_ERROR when it signs with a key the emulator does not know', async () => {
    const merchant = await demoV3Merchant(t.emulator.url, DEMO_MCH_ID);
    const stranger = await registerV3Merchant(t.emulator.url, {
      mchId: '1900000402',
      appIds: [DEMO_APP_ID],
      mode: 'publicKey',
    });
    const { wxpay, serial } = client(
      merchant,
      stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    await expect(
      at(wxpay, 'v3.pay.transactions.outTradeNo.$out_trade_no$').get({
        params: { mchid: DEMO_MCH_ID },
        out_trade_no: 'NOPE000001',
        headers: { 'Wechatpay-Serial': serial },
      }),
    ).rejects.toMatchObject({ response: { status: 401, data: { code: 'SIGN_ERROR' } } });
  });
});
