import { describe, expect, it } from 'vitest';
import { createTestKeyPair } from '../test/v3-keys';
import { buildJsapiPayParamsV3, verifyJsapiPaySignV3 } from './jsapi-pay-params-v3';
import { decryptSensitiveField, encryptSensitiveField } from './rsa-oaep';

const merchant = createTestKeyPair();
const other = createTestKeyPair();
const params = buildJsapiPayParamsV3({
  appId: 'wx8a4c5b1d2e3f6a70',
  prepayId: 'wx20261202105012abcdef0123456789',
  privateKey: merchant.privateKey,
});

describe('v3 JSAPI pay params', () => {
  it('says signType RSA and passes the cashier check with the merchant public key', () => {
    expect(params.signType).toBe('RSA');
    expect(params.timeStamp).toMatch(/^\d{10}$/);
    expect(verifyJsapiPaySignV3(params, merchant.publicKey)).toBe(true);
  });

  it.each([
    ['another key', {}, other.publicKey],
    ['signType MD5', { signType: 'MD5' }, merchant.publicKey],
    ['another package', { package: 'prepay_id=wx1' }, merchant.publicKey],
    [
      'a lower-case timestamp field',
      { timeStamp: undefined, timestamp: params.timeStamp },
      merchant.publicKey,
    ],
    ['a numeric timeStamp', { timeStamp: Number(params.timeStamp) }, merchant.publicKey],
  ])('fails with %s', (_, change, key) => {
    expect(verifyJsapiPaySignV3({ ...params, ...change }, key)).toBe(false);
  });
});

describe('RSA-OAEP sensitive fields', () => {
  it('encrypts for a public key and decrypts with its private key only', () => {
    const ciphertext = encryptSensitiveField('张三', merchant.publicKey);
    expect(decryptSensitiveField(ciphertext, merchant.privateKey)).toBe('张三');
    expect(() => decryptSensitiveField(ciphertext, other.privateKey)).toThrow();
    expect(encryptSensitiveField('张三', merchant.publicKey)).not.toBe(ciphertext);
  });
});
