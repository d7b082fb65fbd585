import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildJsapiPayParams,
  buildStringSignTemp,
  decryptRefundReqInfo,
  jssdkSignature,
  signV2,
  verifyJsapiPaySign,
  verifyV2,
} from './index';

type Vectors = {
  pay_v2_sign: {
    params: Record<string, string>;
    key: string;
    string_sign_temp: string;
    md5: string;
    hmac_sha256: string;
  };
  pay_v2_sign_third_party: { params: Record<string, string>; key: string; md5: string; hmac_sha256: string };
  jsapi_pay_params_v2: {
    params: { appId: string; timeStamp: string; nonceStr: string; package: string };
    key: string;
    md5: string;
    hmac_sha256: string;
  };
  jssdk_signature: {
    jsapi_ticket: string;
    noncestr: string;
    timestamp: string;
    url: string;
    signature: string;
  };
  refund_notify_req_info: {
    api_key: string;
    req_info: string;
    expect: Record<string, string>;
    plaintext: string;
  };
};

const vectors = JSON.parse(
  readFileSync(new URL('../test/fixtures/vectors.json', import.meta.url), 'utf8'),
) as Vectors;

describe('known-answer vectors', () => {
  const official = vectors.pay_v2_sign;
  const thirdParty = vectors.pay_v2_sign_third_party;

  it('builds the official stringSignTemp, ending in &key=', () => {
    expect(buildStringSignTemp(official.params, official.key)).toBe(official.string_sign_temp);
  });

  it('signs the official v2 sample with MD5', () => {
    expect(signV2(official.params, official.key, 'MD5')).toBe(official.md5);
  });

  it('signs the official v2 sample with HMAC-SHA256 over a message that still ends in &key=', () => {
    expect(signV2(official.params, official.key, 'HMAC-SHA256')).toBe(official.hmac_sha256);
  });

  it('signs the wechatpy sample with both algorithms', () => {
    expect(signV2(thirdParty.params, thirdParty.key, 'MD5')).toBe(thirdParty.md5);
    expect(signV2(thirdParty.params, thirdParty.key, 'HMAC-SHA256')).toBe(thirdParty.hmac_sha256);
  });

  it('verifies the official signs, inferring the algorithm from their length', () => {
    expect(verifyV2({ ...official.params, sign: official.md5 }, official.key)).toBe(true);
    expect(verifyV2({ ...official.params, sign: official.hmac_sha256 }, official.key)).toBe(true);
    expect(verifyV2({ ...official.params, sign: official.md5.toLowerCase() }, official.key)).toBe(true);
  });

  it('refuses the official MD5 sign when told the message is HMAC-signed', () => {
    expect(verifyV2({ ...official.params, sign: official.md5 }, official.key, 'HMAC-SHA256')).toBe(false);
  });

  it('computes the official JS-SDK signature', () => {
    const v = vectors.jssdk_signature;
    expect(jssdkSignature(v)).toBe(v.signature);
  });

  it('drops the #fragment of the page url before signing for the JS-SDK', () => {
    const v = vectors.jssdk_signature;
    expect(jssdkSignature({ ...v, url: `${v.url}#/pay?x=1` })).toBe(v.signature);
  });

  it.each([
    ['MD5', 'md5'],
    ['HMAC-SHA256', 'hmac_sha256'],
  ] as const)(
    'builds JSAPI pay params signed with %s including signType in the signed set',
    (signType, field) => {
      const v = vectors.jsapi_pay_params_v2;
      const params = buildJsapiPayParams({
        appId: v.params.appId,
        prepayId: v.params.package.slice('prepay_id='.length),
        key: v.key,
        signType,
        nonceStr: v.params.nonceStr,
        timeStamp: Number(v.params.timeStamp),
      });
      expect(params).toEqual({ ...v.params, signType, paySign: v[field] });
      expect(verifyJsapiPaySign(params, v.key)).toBe(true);
    },
  );

  it('decrypts the wechatpy refund req_info into the <root> fields', () => {
    const v = vectors.refund_notify_req_info;
    const fields = decryptRefundReqInfo(v.req_info, v.api_key);
    expect(fields).toMatchObject(v.expect);
    expect(fields).toMatchObject({
      refund_status: 'SUCCESS',
      refund_fee: '1',
      success_time: '2020-01-04 18:34:24',
      refund_recv_accout: '招商银行信用卡8915',
    });
    expect(Object.keys(fields)).toHaveLength(13);
  });
});
