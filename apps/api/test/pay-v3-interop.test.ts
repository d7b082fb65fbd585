/**
 * An independent check of the api's v3 with `wechatpay-axios-plugin` (TheNorthMemory's SDK, none of wechat-core):
 * the plugin verifies the api's RSA pay params with the merchant's public key, and a payment notify the plugin
 * encrypts (AES-256-GCM) and signs (SHA256withRSA over `timestamp\nnonce\nbody\n`) is accepted by the api. The api
 * and the emulator share wechat-core's signer, so a shared bug would pass every round trip between them; this one
 * would not.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PayWalletResponse } from '@wxh5/contracts';
import { DEMO_API_V3_KEY, DEMO_KEY_FILES, DEMO_WECHATPAY_PUBLIC_KEY_ID } from '@wxh5/wechat-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { createHttpClient, startEmulator, startTestApi, type TestApi, type TestEmulator } from './support';
import { demoV3Env } from './support/v3-merchant';
import { DEMO, orderRow, sessionCookie } from './pay-kit';

let emulator: TestEmulator;
let api: TestApi;
let aliceOpenId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aliceOpenId = await emulator.openIdOf('alice');
  api = await startTestApi({ emulatorUrl: emulator.url, env: demoV3Env() });
});
afterAll(async () => {
  await api.close();
  await emulator.close();
});

describe('the api on v3, checked by wechatpay-axios-plugin', () => {
  it('signs chooseWXPay params that the plugin verifies, and accepts a notify the plugin encrypted and signed', async () => {
    const response = await createHttpClient(api.url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, aliceOpenId) },
      json: { productId: 'tip', amountFen: 888 },
    });
    expect(response.status).toBe(200);
    const { outTradeNo, payParams } = response.json<{ data: PayWalletResponse }>().data;
    const merchantPublicKey = readFileSync(DEMO_KEY_FILES.merchantPublicKey, 'utf8');
    expect(payParams.signType).toBe('RSA');
    expect(
      Rsa.verify(
        Formatter.joinedByLineFeed(
          payParams.appId,
          payParams.timeStamp,
          payParams.nonceStr,
          payParams.package,
        ),
        payParams.paySign,
        merchantPublicKey,
      ),
    ).toBe(true);

    const nonce = 'Ab3dEf7hIj9k';
    const transaction = {
      appid: DEMO.appId,
      mchid: DEMO.mchId,
      out_trade_no: outTradeNo,
      transaction_id: '4200000888202612020000000888',
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      success_time: '2026-12-02T18:00:00+08:00',
      payer: { openid: aliceOpenId },
      amount: { total: 888, payer_total: 888, currency: 'CNY', payer_currency: 'CNY' },
    };
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: '2026-12-02T18:00:01+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: Aes.AesGcm.encrypt(JSON.stringify(transaction), DEMO_API_V3_KEY, nonce, 'transaction'),
        associated_data: 'transaction',
        nonce,
      },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headerNonce = randomUUID().replaceAll('-', '');
    const wechatpayPrivateKey = readFileSync(DEMO_KEY_FILES.wechatpayPrivateKey, 'utf8');
    const notify = await fetch(`${api.url}/api/wechat/pay/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': headerNonce,
        'wechatpay-serial': DEMO_WECHATPAY_PUBLIC_KEY_ID,
        'wechatpay-signature': Rsa.sign(
          Formatter.response(timestamp, headerNonce, body),
          wechatpayPrivateKey,
        ),
        'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      },
      body,
    });
    expect(notify.status).toBe(200);
    expect(await notify.json()).toEqual({ code: 'SUCCESS' });
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({
      status: 'PAID',
      transaction_id: '4200000888202612020000000888',
      paid_at: '2026-12-02T10:00:00.000Z',
    });
  });
});
