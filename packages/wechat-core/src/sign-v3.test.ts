import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestKeyPair } from '../test/v3-keys';
import { parseV3Authorization, signV3Request, verifyV3Request } from './sign-v3';

const merchant = createTestKeyPair();
const other = createTestKeyPair();
const request = {
  method: 'POST',
  url: '/v3/pay/transactions/jsapi',
  body: '{"appid":"wx8a4c5b1d2e3f6a70","mchid":"1900000109"}',
  mchId: '1900000109',
  serialNo: '3775B6A45ACD588826D15E583A95F5DD',
  privateKey: merchant.privateKey,
  timestamp: 1_800_000_000,
  nonce: 'ABCDEF0123456789',
};

describe('signV3Request and parseV3Authorization', () => {
  it('writes the five fields in the order the official SDKs do and reads them back', () => {
    const signed = signV3Request(request);
    expect(signed.authorization).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="ABCDEF0123456789",timestamp="1800000000",serial_no="3775B6A45ACD588826D15E583A95F5DD",signature="[A-Za-z0-9+/]+={0,2}"$/,
    );
    expect(parseV3Authorization(signed.authorization)).toEqual({
      mchid: '1900000109',
      nonce_str: 'ABCDEF0123456789',
      timestamp: '1800000000',
      serial_no: '3775B6A45ACD588826D15E583A95F5DD',
      signature: signed.signature,
    });
  });

  it('reads the fields in any order and with spaces after the commas', () => {
    const parsed = parseV3Authorization(
      'WECHATPAY2-SHA256-RSA2048 signature="c2ln", serial_no="AB",timestamp="1", nonce_str="n",mchid="1"',
    );
    expect(parsed).toEqual({
      mchid: '1',
      nonce_str: 'n',
      timestamp: '1',
      serial_no: 'AB',
      signature: 'c2ln',
    });
  });

  it.each([
    [undefined],
    [''],
    ['Bearer x'],
    ['WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="AB"'],
    [
      'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="AB",signature="s"',
    ],
    ['WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n",timestamp="1",serial_no="AB",signature="s"'],
    ['WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="n",timestamp="1",serial_no="AB",signature="s"'],
  ])('gives null for the malformed header %j', (header) => {
    expect(parseV3Authorization(header)).toBeNull();
  });

  it('verifies with the merchant public key and not with another', () => {
    const signed = signV3Request(request);
    const auth = parseV3Authorization(signed.authorization);
    if (!auth) throw new Error('unparsed');
    expect(verifyV3Request({ ...request, authorization: auth }, merchant.publicKey)).toBe(true);
    expect(verifyV3Request({ ...request, authorization: auth }, other.publicKey)).toBe(false);
  });

  it('signs an empty line for a GET without a body', () => {
    const get = { ...request, method: 'get', url: '/v3/certificates', body: '' };
    const auth = parseV3Authorization(signV3Request(get).authorization);
    if (!auth) throw new Error('unparsed');
    expect(verifyV3Request({ ...get, method: 'GET', authorization: auth }, merchant.publicKey)).toBe(true);
  });

  it('fails when any part of the signed message changes', () => {
    const signed = signV3Request(request);
    const auth = parseV3Authorization(signed.authorization);
    if (!auth) throw new Error('unparsed');
    fc.assert(
      fc.property(
        fc.constantFrom('method', 'url', 'body', 'timestamp', 'nonce_str'),
        fc.string({ minLength: 1, maxLength: 8 }),
        (part, extra) => {
          const changed = { ...request, authorization: { ...auth } };
          if (part === 'timestamp' || part === 'nonce_str') changed.authorization[part] += extra;
          else changed[part] += extra;
          return !verifyV3Request(changed, merchant.publicKey);
        },
      ),
      { numRuns: 40 },
    );
  });
});
