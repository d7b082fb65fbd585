import { describe, expect, it } from 'vitest';
import { parseXml } from './parse-xml';
import { decryptRefundReqInfo } from './refund-req-info';
import { verifyV2 } from './sign-v2';
import { buildV2PayNotify, buildV2RefundNotify } from './v2-notifies';

const KEY = 'DemoPayKey0123456789abcdefABCDEF';
const BASE = {
  appId: 'wxapp',
  mchId: '1900000109',
  key: KEY,
  openid: 'oUser',
  outTradeNo: 'T1',
  transactionId: '4200000001202611240000000001',
  totalFee: 1000,
  paidAt: new Date(Date.UTC(2026, 10, 24, 4, 0, 0)),
};

describe('buildV2PayNotify', () => {
  it('writes WeChat’s field set, HMAC-SHA256-signed with sign_type declared by default', () => {
    const fields = parseXml(buildV2PayNotify(BASE));
    expect(fields).toMatchObject({
      return_code: 'SUCCESS',
      appid: 'wxapp',
      mch_id: '1900000109',
      sign_type: 'HMAC-SHA256',
      result_code: 'SUCCESS',
      openid: 'oUser',
      trade_type: 'JSAPI',
      total_fee: '1000',
      cash_fee: '1000',
      fee_type: 'CNY',
      transaction_id: BASE.transactionId,
      out_trade_no: 'T1',
      time_end: '20261124120000',
    });
    expect(fields).not.toHaveProperty('device_info');
    expect(fields).not.toHaveProperty('attach');
    expect(verifyV2(fields, KEY, 'HMAC-SHA256')).toBe(true);
  });

  it('signs MD5 without declaring it, adds overrides before signing, and can forge the sign', () => {
    const md5 = parseXml(
      buildV2PayNotify({ ...BASE, signType: 'MD5', attach: 'a', fields: { total_fee: 1 } }),
    );
    expect(md5).not.toHaveProperty('sign_type');
    expect(md5).toMatchObject({ attach: 'a', total_fee: '1' });
    expect(verifyV2(md5, KEY, 'MD5')).toBe(true);
    expect(parseXml(buildV2PayNotify({ ...BASE, sign: null }))).not.toHaveProperty('sign');
    expect(parseXml(buildV2PayNotify({ ...BASE, sign: 'FORGED' })).sign).toBe('FORGED');
  });
});

describe('buildV2RefundNotify', () => {
  it('carries no sign and a req_info that decrypts with the key', () => {
    const fields = parseXml(
      buildV2RefundNotify({
        appId: 'wxapp',
        mchId: '1900000109',
        key: KEY,
        reqInfo: { out_refund_no: 'R1', refund_fee: 5 },
      }),
    );
    expect(fields).toMatchObject({ return_code: 'SUCCESS', appid: 'wxapp', mch_id: '1900000109' });
    expect(fields).not.toHaveProperty('sign');
    expect(decryptRefundReqInfo(fields.req_info!, KEY)).toMatchObject({
      out_refund_no: 'R1',
      refund_fee: '5',
    });
  });
});
