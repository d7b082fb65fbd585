import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../test/arbitraries';
import { buildJsapiPayParams, verifyJsapiPaySign } from './jsapi-pay-params';
import type { SignType } from './sign-v2';

const key = '192006250b4c09247ec02edce69f6a2d';

describe('buildJsapiPayParams', () => {
  it('fills a 32-character nonce and a current timeStamp in seconds, all as strings', () => {
    const before = Math.floor(Date.now() / 1000);
    const params = buildJsapiPayParams({ appId: 'wx1', prepayId: 'wx2014', key, signType: 'MD5' });
    expect(params.nonceStr).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(Number(params.timeStamp)).toBeGreaterThanOrEqual(before);
    expect(params.timeStamp).toMatch(/^\d{10}$/);
    expect(params.package).toBe('prepay_id=wx2014');
    expect(Object.keys(params).sort()).toEqual([
      'appId',
      'nonceStr',
      'package',
      'paySign',
      'signType',
      'timeStamp',
    ]);
  });
});

describe('verifyJsapiPaySign', () => {
  const built = buildJsapiPayParams({
    appId: 'wx2421b1c4370ec43b',
    prepayId: 'wx201410272009395522657a690389285100',
    key,
    signType: 'HMAC-SHA256',
    nonceStr: 'e61463f8efa94090b1f366cccfbbb444',
    timeStamp: '1395712654',
  });

  it('rejects params after any change of a signed field', () => {
    const fields = ['appId', 'timeStamp', 'nonceStr', 'package'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.string({ minLength: 1, maxLength: 8 }), (field, suffix) => {
        expect(verifyJsapiPaySign({ ...built, [field]: built[field] + suffix }, key)).toBe(false);
      }),
      runs,
    );
  });

  it('rejects params whose signType was switched after signing', () => {
    expect(verifyJsapiPaySign({ ...built, signType: 'MD5' satisfies SignType }, key)).toBe(false);
  });

  it('rejects the lowercase timestamp that wx.chooseWXPay uses', () => {
    const { timeStamp, ...rest } = built;
    expect(verifyJsapiPaySign({ ...rest, timestamp: timeStamp } as Record<string, unknown>, key)).toBe(false);
  });

  it('rejects an unknown signType, a missing paySign and the wrong key', () => {
    expect(verifyJsapiPaySign({ ...built, signType: 'SHA1' }, key)).toBe(false);
    expect(verifyJsapiPaySign({ ...built, paySign: undefined }, key)).toBe(false);
    expect(verifyJsapiPaySign(built, `${key}x`)).toBe(false);
  });

  it('ignores fields outside the signed set', () => {
    expect(verifyJsapiPaySign({ ...built, extra: 'x' } as Record<string, unknown>, key)).toBe(true);
  });
});
