// node-tenpay (a widely used v2 client) as the client: its requests, its response verification and its notify
// verification must all agree with the emulator. Its base URLs are replaced by the emulator's.
import Payment from 'tenpay';
import { describe, expect, it } from 'vitest';
import { DEMO_APP_ID, DEMO_MCH_ID, DEMO_PAY_KEY, openidFor } from './index';
import { waitUntil } from './testing/wait-until';
import { useEmulatorWithReceiver } from './testing/use-emulator-with-receiver';

const t = useEmulatorWithReceiver();

function createTenpay(partnerKey = DEMO_PAY_KEY): Payment {
  const payment = new Payment({
    appid: DEMO_APP_ID,
    mchid: DEMO_MCH_ID,
    partnerKey,
    notify_url: t.receiver.url,
    spbill_create_ip: '127.0.0.1',
  });
  // tenpay keeps absolute URLs per API; point every one of them at the emulator.
  for (const [name, url] of Object.entries(payment.urls)) {
    payment.urls[name] = url.replace(/^https:\/\/[^/]+/, t.emulator.url);
  }
  return payment;
}

const alice = openidFor(DEMO_APP_ID, 'alice');

describe('tenpay against the emulator', () => {
  it('places, queries and closes an order with MD5 and HMAC-SHA256, verifying every response', async () => {
    const tenpay = createTenpay();
    for (const signType of ['MD5', 'HMAC-SHA256']) {
      const outTradeNo = `TP${signType === 'MD5' ? 'M' : 'H'}0001`;
      const order = await tenpay.unifiedOrder({
        out_trade_no: outTradeNo,
        body: 'tenpay 互通测试',
        total_fee: 250,
        openid: alice,
        sign_type: signType,
      });
      expect(order.prepay_id).toMatch(/^wx/);
      const queried = await tenpay.orderQuery({ out_trade_no: outTradeNo, sign_type: signType });
      expect(queried.trade_state).toBe('NOTPAY');
      const closed = await tenpay.closeOrder({ out_trade_no: outTradeNo, sign_type: signType });
      expect(closed.result_code).toBe('SUCCESS');
      expect((await tenpay.orderQuery({ out_trade_no: outTradeNo, sign_type: signType })).trade_state).toBe(
        'CLOSED',
      );
    }
  });

  it('produces JSAPI pay params the emulator cashier accepts', async () => {
    const tenpay = createTenpay();
    const order = await tenpay.unifiedOrder({
      out_trade_no: 'TPJS1',
      body: 'x',
      total_fee: 1,
      openid: alice,
    });
    const params = tenpay.getPayParamsByPrepay({ prepay_id: order.prepay_id ?? '' }, 'MD5');
    const response = await fetch(`${t.emulator.url}/__bridge/pay/prepare`, {
      method: 'POST',
      body: JSON.stringify({ params, url: 'http://localhost:3000/pay' }),
    });
    expect(await response.json()).toMatchObject({ ok: true, order: { totalFee: 1, outTradeNo: 'TPJS1' } });
  });

  it('is refused when it signs with the wrong key', async () => {
    const tenpay = createTenpay('W'.repeat(32));
    await expect(
      tenpay.unifiedOrder({ out_trade_no: 'TPBAD1', body: 'x', total_fee: 1, openid: alice }),
    ).rejects.toThrow('签名错误，请检查后再试');
    expect(t.emulator.state.orders.size).toBe(0);
  });

  it("sends a pay notify that passes tenpay's own notify verification, for both sign types", async () => {
    const tenpay = createTenpay();
    for (const [signType, outTradeNo] of [
      ['MD5', 'TPN1'],
      ['HMAC-SHA256', 'TPN2'],
    ] as const) {
      await tenpay.unifiedOrder({
        out_trade_no: outTradeNo,
        body: 'notify',
        total_fee: 88,
        openid: alice,
        sign_type: signType,
      });
      await fetch(`${t.emulator.url}/__emulator/orders/${outTradeNo}/pay`, { method: 'POST', body: '{}' });
    }
    await waitUntil(() => t.receiver.bodies.length === 2);
    for (const body of t.receiver.bodies) {
      const verified = await tenpay._parse(body, 'middleware_pay');
      expect(verified).toMatchObject({ result_code: 'SUCCESS', total_fee: '88', openid: alice });
    }
    // A tampered notify fails tenpay's verification.
    const tampered = (t.receiver.bodies[0] ?? '').replace(
      '<total_fee>88</total_fee>',
      '<total_fee>1</total_fee>',
    );
    expect(tampered).not.toBe(t.receiver.bodies[0]);
    await expect(tenpay._parse(tampered, 'middleware_pay')).rejects.toThrow('sign签名错误');
  });

  it('sends a refund notify whose req_info tenpay decrypts', async () => {
    const tenpay = createTenpay();
    await tenpay.unifiedOrder({ out_trade_no: 'TPR1', body: 'refund', total_fee: 300, openid: alice });
    await fetch(`${t.emulator.url}/__emulator/orders/TPR1/pay`, { method: 'POST', body: '{}' });
    const { callPay } = await import('./testing/pay-client');
    const refund = await callPay(
      t.emulator.url,
      '/secapi/pay/refund',
      {
        appid: DEMO_APP_ID,
        mch_id: DEMO_MCH_ID,
        out_trade_no: 'TPR1',
        out_refund_no: 'RF1',
        total_fee: 300,
        refund_fee: 120,
      },
      { key: DEMO_PAY_KEY },
    );
    expect(refund.result_code).toBe('SUCCESS');
    await waitUntil(() => t.receiver.bodies.length === 2);
    const refundXml = t.receiver.bodies.find((body) => body.includes('req_info')) ?? '';
    const parsed = (await tenpay._parse(refundXml, 'middleware_refund')) as {
      req_info: Record<string, string>;
    };
    expect(parsed.req_info).toMatchObject({
      out_trade_no: 'TPR1',
      out_refund_no: 'RF1',
      refund_fee: '120',
      refund_status: 'SUCCESS',
    });
  });
});
