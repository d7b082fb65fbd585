import { describe, expect, it } from 'vitest';
import { buildXml, decryptRefundReqInfo, parseXml, verifyV2 } from '@wxh5/wechat-core';
import { DEMO_APP_ID, DEMO_MCH_ID, DEMO_PAY_KEY, openidFor } from '../index';
import { callPay, postXml } from '../testing/pay-client';
import type { PayCallOptions } from '../testing/pay-client';
import { waitUntil } from '../testing/wait-until';
import { useEmulatorWithReceiver } from '../testing/use-emulator-with-receiver';

const t = useEmulatorWithReceiver();

const alice = openidFor(DEMO_APP_ID, 'alice');
const md5: PayCallOptions = { key: DEMO_PAY_KEY };
const hmac: PayCallOptions = { key: DEMO_PAY_KEY, signType: 'HMAC-SHA256' };

function order(overrides: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    appid: DEMO_APP_ID,
    mch_id: DEMO_MCH_ID,
    body: 'wxh5 测试-充值',
    out_trade_no: 'T20261124000001',
    total_fee: 1234,
    spbill_create_ip: '127.0.0.1',
    notify_url: t.receiver.url,
    trade_type: 'JSAPI',
    openid: alice,
    ...overrides,
  };
}

const pay = (path: string, params: Record<string, string | number>, options: PayCallOptions = md5) =>
  callPay(t.emulator.url, path, params, options);
const query = (outTradeNo: string) =>
  pay('/pay/orderquery', { appid: DEMO_APP_ID, mch_id: DEMO_MCH_ID, out_trade_no: outTradeNo });
const close = (outTradeNo: string) =>
  pay('/pay/closeorder', { appid: DEMO_APP_ID, mch_id: DEMO_MCH_ID, out_trade_no: outTradeNo });
async function payByControl(outTradeNo: string): Promise<Response> {
  return fetch(`${t.emulator.url}/__emulator/orders/${outTradeNo}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
}

describe('POST /pay/unifiedorder', () => {
  it('creates a JSAPI order and answers a prepay_id in a response signed with the request sign type', async () => {
    for (const [options, outTradeNo] of [
      [md5, 'MD5ORDER1'],
      [hmac, 'HMACORDER1'],
    ] as const) {
      const result = await pay('/pay/unifiedorder', order({ out_trade_no: outTradeNo }), options);
      expect(result).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', trade_type: 'JSAPI' });
      expect(result.prepay_id).toMatch(/^wx\d{14}[a-z0-9]{20}$/);
      expect(result.sign).toHaveLength(options === md5 ? 32 : 64);
      expect(verifyV2(result, DEMO_PAY_KEY, options.signType ?? 'MD5')).toBe(true);
    }
  });

  it('answers a bad signature exactly as WeChat does', async () => {
    const response = await fetch(`${t.emulator.url}/pay/unifiedorder`, {
      method: 'POST',
      body: buildXml({ ...order(), nonce_str: 'abc', sign: 'F'.repeat(32) }),
    });
    expect(await response.text()).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误，请检查后再试]]></return_msg></xml>',
    );
    const wrongKey = await pay('/pay/unifiedorder', order(), { key: 'X'.repeat(32) });
    expect(wrongKey.return_msg).toBe('签名错误，请检查后再试');
  });

  it('refuses a signature of the wrong type: HMAC-SHA256 sign without sign_type, MD5 sign declared HMAC', async () => {
    const hmacUndeclared = await pay('/pay/unifiedorder', order(), {
      key: DEMO_PAY_KEY,
      signType: 'HMAC-SHA256',
      declareSignType: false,
    });
    expect(hmacUndeclared).toEqual({ return_code: 'FAIL', return_msg: '签名错误，请检查后再试' });
    const mismatch = await pay('/pay/unifiedorder', order(), { ...hmac, signWith: 'MD5' });
    expect(mismatch.return_msg).toBe('签名错误，请检查后再试');
    const unknownType = await pay('/pay/unifiedorder', { ...order(), sign_type: 'SHA1' }, md5);
    expect(unknownType.return_code).toBe('FAIL');
  });

  it('answers XML格式错误 for malformed XML and a DOCTYPE, and FAIL for an unknown merchant', async () => {
    expect((await postXml(t.emulator.url, '/pay/unifiedorder', '<xml><a>1</xml>')).return_msg).toBe(
      'XML格式错误',
    );
    const doctype = '<!DOCTYPE xml [<!ENTITY x "y">]><xml><mch_id>&x;</mch_id></xml>';
    expect((await postXml(t.emulator.url, '/pay/unifiedorder', doctype)).return_msg).toBe('XML格式错误');
    const unknown = await pay('/pay/unifiedorder', order({ mch_id: '1234567890' }));
    expect(unknown.return_code).toBe('FAIL');
    // A GBK body (or any invalid UTF-8) is refused, not decoded to replacement characters.
    const gbk = Buffer.concat([
      Buffer.from(`<xml><mch_id>${DEMO_MCH_ID}</mch_id><body>`),
      Buffer.from([0xb2, 0xe2, 0xca, 0xd4]),
      Buffer.from('</body></xml>'),
    ]);
    const gbkResponse = await fetch(`${t.emulator.url}/pay/unifiedorder`, { method: 'POST', body: gbk });
    expect(parseXml(await gbkResponse.text())).toEqual({ return_code: 'FAIL', return_msg: '编码格式错误' });
    const getResponse = await fetch(`${t.emulator.url}/pay/unifiedorder`);
    expect(parseXml(await getResponse.text()).return_msg).toBe('REQUIRE_POST_METHOD');
  });

  it('validates required fields, lengths, total_fee, out_trade_no, notify_url and the JSAPI openid', async () => {
    const cases: Array<[Record<string, string | number>, string, RegExp]> = [
      [{ body: '' }, 'LACK_PARAMS', /body/],
      [{ spbill_create_ip: '' }, 'LACK_PARAMS', /spbill_create_ip/],
      [{ body: '很'.repeat(43) }, 'PARAM_ERROR', /body/],
      [{ attach: 'a'.repeat(128) }, 'PARAM_ERROR', /attach/],
      [{ total_fee: 0 }, 'PARAM_ERROR', /total_fee/],
      [{ total_fee: '12.5' }, 'PARAM_ERROR', /total_fee/],
      [{ total_fee: -1 }, 'PARAM_ERROR', /total_fee/],
      [{ out_trade_no: 'has space' }, 'PARAM_ERROR', /out_trade_no/],
      [{ out_trade_no: 'A'.repeat(33) }, 'PARAM_ERROR', /out_trade_no/],
      [{ notify_url: `${t.receiver.url}?a=1` }, 'PARAM_ERROR', /notify_url/],
      [{ notify_url: '/relative/path' }, 'PARAM_ERROR', /notify_url/],
      [{ trade_type: 'WEB' }, 'PARAM_ERROR', /trade_type/],
      [{ openid: '' }, 'PARAM_ERROR', /openid/],
      [{ openid: openidFor('wx1111111111111111', 'alice') }, 'PARAM_ERROR', /openid/],
      [{ spbill_create_ip: 'not-an-ip' }, 'PARAM_ERROR', /spbill_create_ip/],
      [{ time_start: '20261332000000' }, 'PARAM_ERROR', /time_start/],
      [{ time_start: '20990101000000', time_expire: '20990101000030' }, 'PARAM_ERROR', /time_expire/],
      [{ appid: 'wx0000000000000000' }, 'APPID_NOT_EXIST', /appid/],
    ];
    for (const [overrides, errCode, description] of cases) {
      const result = await pay('/pay/unifiedorder', order(overrides));
      expect({ overrides, code: result.err_code }).toEqual({ overrides, code: errCode });
      expect(result.result_code).toBe('FAIL');
      expect(result.err_code_des).toMatch(description);
      expect(verifyV2(result, DEMO_PAY_KEY, 'MD5')).toBe(true);
    }
    expect(t.emulator.state.orders.size).toBe(0);
  });

  it('answers APPID_MCHID_NOT_MATCH for an app not bound to the merchant', async () => {
    await fetch(`${t.emulator.url}/__emulator/apps`, {
      method: 'POST',
      body: JSON.stringify({ appId: 'wx2222222222222222', appSecret: 's', oauthDomains: [], jsDomains: [] }),
    });
    const result = await pay('/pay/unifiedorder', order({ appid: 'wx2222222222222222' }));
    expect(result.err_code).toBe('APPID_MCHID_NOT_MATCH');
  });

  it('returns the same prepay_id for the same parameters and OUT_TRADE_NO_USED for different ones', async () => {
    const first = await pay('/pay/unifiedorder', order());
    const again = await pay('/pay/unifiedorder', order());
    expect(again.prepay_id).toBe(first.prepay_id);
    const different = await pay('/pay/unifiedorder', order({ total_fee: 999 }));
    expect(different).toMatchObject({ result_code: 'FAIL', err_code: 'OUT_TRADE_NO_USED' });
  });

  it('issues a new prepay_id for the same order once the first is older than 2 hours', async () => {
    const first = await pay('/pay/unifiedorder', order());
    await fetch(`${t.emulator.url}/__emulator/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: 7200 }),
    });
    const later = await pay('/pay/unifiedorder', order());
    expect(later.result_code).toBe('SUCCESS');
    expect(later.prepay_id).not.toBe(first.prepay_id);
  });

  it('answers ORDERPAID for a paid order and ORDERCLOSED for a closed one', async () => {
    await pay('/pay/unifiedorder', order({ out_trade_no: 'PAID1' }));
    expect((await payByControl('PAID1')).status).toBe(200);
    expect((await pay('/pay/unifiedorder', order({ out_trade_no: 'PAID1' }))).err_code).toBe('ORDERPAID');
    expect((await close('PAID1')).err_code).toBe('ORDERPAID');
    await pay('/pay/unifiedorder', order({ out_trade_no: 'CLOSED1' }));
    expect((await close('CLOSED1')).result_code).toBe('SUCCESS');
    expect((await pay('/pay/unifiedorder', order({ out_trade_no: 'CLOSED1' }))).err_code).toBe('ORDERCLOSED');
    expect((await close('CLOSED1')).err_code).toBe('ORDERCLOSED');
    expect((await payByControl('CLOSED1')).status).toBe(409);
  });

  it('answers a signed SYSTEMERROR when that fault is injected, then works again', async () => {
    await fetch(`${t.emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ endpoint: '/pay/unifiedorder', kind: 'systemerror', count: 1 }),
    });
    const failed = await pay('/pay/unifiedorder', order());
    expect(failed).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect(verifyV2(failed, DEMO_PAY_KEY, 'MD5')).toBe(true);
    expect((await pay('/pay/unifiedorder', order())).result_code).toBe('SUCCESS');
  });
});

describe('POST /pay/orderquery and /pay/closeorder', () => {
  it('reports NOTPAY, then SUCCESS with the transaction after a payment', async () => {
    await pay('/pay/unifiedorder', order({ attach: 'cart-7' }));
    expect(await query('T20261124000001')).toMatchObject({ trade_state: 'NOTPAY', total_fee: '1234' });
    const { transactionId } = (await (await payByControl('T20261124000001')).json()) as {
      transactionId: string;
    };
    expect(transactionId).toMatch(/^\d{28}$/);
    const paid = await query('T20261124000001');
    expect(paid).toMatchObject({
      trade_state: 'SUCCESS',
      transaction_id: transactionId,
      openid: alice,
      attach: 'cart-7',
      cash_fee: '1234',
    });
    expect(paid.time_end).toMatch(/^\d{14}$/);
    const byTransaction = await pay('/pay/orderquery', {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      transaction_id: transactionId,
    });
    expect(byTransaction.out_trade_no).toBe('T20261124000001');
  });

  it('answers ORDERNOTEXIST for an unknown order', async () => {
    expect((await query('NOPE')).err_code).toBe('ORDERNOTEXIST');
    expect((await close('NOPE')).err_code).toBe('ORDERNOTEXIST');
  });

  it('closes an unpaid order so that orderquery reports CLOSED', async () => {
    await pay('/pay/unifiedorder', order());
    expect((await close('T20261124000001')).result_code).toBe('SUCCESS');
    expect((await query('T20261124000001')).trade_state).toBe('CLOSED');
  });
});

describe('refunds', () => {
  const refund = (outRefundNo: string, refundFee: number, extra: Record<string, string | number> = {}) =>
    pay('/secapi/pay/refund', {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      out_trade_no: 'T20261124000001',
      out_refund_no: outRefundNo,
      total_fee: 1234,
      refund_fee: refundFee,
      ...extra,
    });

  it('refunds in parts up to the total, idempotently per out_refund_no, with an encrypted refund notify', async () => {
    await pay('/pay/unifiedorder', order());
    expect((await refund('R1', 100)).err_code).toBe('INVALID_REQUEST');
    await payByControl('T20261124000001');
    const first = await refund('R1', 1000);
    expect(first).toMatchObject({ result_code: 'SUCCESS', refund_fee: '1000', out_refund_no: 'R1' });
    const retried = await refund('R1', 1000);
    expect(retried.refund_id).toBe(first.refund_id);
    expect((await refund('R2', 235)).err_code).toBe('INVALID_REQUEST');
    expect((await refund('R2', 234)).result_code).toBe('SUCCESS');
    expect((await refund('R3', 0)).err_code).toBe('PARAM_ERROR');
    expect((await query('T20261124000001')).trade_state).toBe('REFUND');

    const refunds = await pay('/pay/refundquery', {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      out_trade_no: 'T20261124000001',
    });
    expect(refunds).toMatchObject({ refund_count: '2', refund_status_0: 'SUCCESS', out_refund_no_1: 'R2' });

    // One pay notify and two refund notifies (the refund notify goes to the order's notify_url here).
    await waitUntil(() => t.receiver.bodies.length >= 3, 5000, 'three notifies');
    const refundNotifies = t.receiver.bodies
      .map((body) => parseXml(body))
      .filter((body) => body.req_info !== undefined);
    expect(refundNotifies).toHaveLength(2);
    const info = decryptRefundReqInfo(refundNotifies[0]?.req_info ?? '', DEMO_PAY_KEY);
    expect(info).toMatchObject({
      out_trade_no: 'T20261124000001',
      refund_status: 'SUCCESS',
      total_fee: '1234',
    });
    expect(info.success_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(refundNotifies[0]?.sign).toBeUndefined();
  });

  it('refuses a refund whose total_fee differs from the order, a bad notify_url or an unknown order', async () => {
    await pay('/pay/unifiedorder', order());
    await payByControl('T20261124000001');
    expect((await refund('R1', 10, { total_fee: 1000 })).err_code).toBe('PARAM_ERROR');
    expect((await refund('R1', 10, { notify_url: `${t.receiver.url}?x=1` })).err_code).toBe('PARAM_ERROR');
    expect((await refund('R1', 10, { out_trade_no: 'NOPE' })).err_code).toBe('ORDERNOTEXIST');
    expect((await refund('', 10)).err_code).toBe('LACK_PARAMS');
    expect(t.emulator.state.refunds.size).toBe(0);
  });

  it('counts only its own merchant refunds toward the limit of 50 per order', async () => {
    await pay('/pay/unifiedorder', order());
    await payByControl('T20261124000001');
    // Another merchant's order with the same out_trade_no already has 50 refunds.
    for (let n = 0; n < 50; n += 1) {
      t.emulator.state.refunds.set(`1900000999 OTHER${n}`, {
        mchId: '1900000999',
        appId: 'wx0000000000000999',
        outTradeNo: 'T20261124000001',
        transactionId: '4200000000000000000000000999',
        outRefundNo: `OTHER${n}`,
        refundId: `50300000000000000000000${n}`,
        totalFee: 5000,
        refundFee: 1,
        refundDesc: '',
        notifyUrl: '',
        status: 'SUCCESS',
        createdAt: 0,
        successAt: 0,
      });
    }
    expect(await refund('R1', 10)).toMatchObject({ result_code: 'SUCCESS', refund_fee: '10' });
  });

  it('answers REFUNDNOTEXIST when no refund matches', async () => {
    const result = await pay('/pay/refundquery', {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      out_refund_no: 'R9',
    });
    expect(result.err_code).toBe('REFUNDNOTEXIST');
  });
});
