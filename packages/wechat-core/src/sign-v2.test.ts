import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonEmptyParams, params, runs } from '../test/arbitraries';
import { buildStringSignTemp, detectSignType, signV2, verifyV2 } from './sign-v2';
import type { SignType } from './sign-v2';

const key = '192006250b4c09247ec02edce69f6a2d';
const signType = fc.constantFrom<SignType>('MD5', 'HMAC-SHA256');

function replaceCharAt(text: string, index: number, replacement: string): string {
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('signV2', () => {
  it('skips undefined, null, empty values and any existing sign', () => {
    expect(buildStringSignTemp({ b: '2', a: 1, c: '', d: undefined, e: null, sign: 'X' }, 'K')).toBe(
      'a=1&b=2&key=K',
    );
  });

  it('sorts names by ASCII, so upper case comes before lower case', () => {
    expect(buildStringSignTemp({ b: 'x', B: 'y', _a: 'z' }, 'K')).toBe('B=y&_a=z&b=x&key=K');
  });

  it('signs a number and its string form identically', () => {
    expect(signV2({ total_fee: 1 }, key, 'MD5')).toBe(signV2({ total_fee: '1' }, key, 'MD5'));
  });

  it('returns 32 uppercase hex characters for MD5 and 64 for HMAC-SHA256', () => {
    expect(signV2({ a: '中文' }, key, 'MD5')).toMatch(/^[0-9A-F]{32}$/);
    expect(signV2({ a: '中文' }, key, 'HMAC-SHA256')).toMatch(/^[0-9A-F]{64}$/);
  });

  it('signs sign_type like any other field when it is present', () => {
    expect(signV2({ a: '1', sign_type: 'MD5' }, key, 'MD5')).not.toBe(signV2({ a: '1' }, key, 'MD5'));
  });
});

describe('verifyV2', () => {
  it('accepts what signV2 signed, for random params with Chinese text, empty values and ]]>', () => {
    fc.assert(
      fc.property(params, signType, (p, type) => {
        expect(verifyV2({ ...p, sign: signV2(p, key, type) }, key)).toBe(true);
        expect(
          verifyV2({ ...p, sign_type: type, sign: signV2({ ...p, sign_type: type }, key, type) }, key),
        ).toBe(true);
      }),
      runs,
    );
  });

  it('rejects the message after any single-character change of any value', () => {
    fc.assert(
      fc.property(
        nonEmptyParams,
        signType,
        fc.nat(),
        fc.nat(),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        (p, type, fieldPick, charPick, replacement) => {
          const names = Object.keys(p);
          const name = names[fieldPick % names.length]!;
          const value = String(p[name]);
          const index = charPick % value.length;
          fc.pre(value[index] !== replacement);
          const tampered = { ...p, [name]: replaceCharAt(value, index, replacement) };
          expect(verifyV2({ ...tampered, sign: signV2(p, key, type) }, key)).toBe(false);
        },
      ),
      runs,
    );
  });

  it('rejects the message after any single-character change of the sign', () => {
    fc.assert(
      fc.property(nonEmptyParams, signType, fc.nat(), fc.nat(15), (p, type, charPick, digitPick) => {
        const sign = signV2(p, key, type);
        const index = charPick % sign.length;
        const digit = '0123456789ABCDEF'[digitPick]!;
        fc.pre(sign[index] !== digit);
        expect(verifyV2({ ...p, sign: replaceCharAt(sign, index, digit) }, key)).toBe(false);
        expect(verifyV2({ ...p, sign: replaceCharAt(sign, index, digit) }, key, type)).toBe(false);
      }),
      runs,
    );
  });

  it('rejects a message signed with another key', () => {
    const p = { appid: 'wx1', total_fee: 1 };
    expect(verifyV2({ ...p, sign: signV2(p, `${key}x`, 'MD5') }, key)).toBe(false);
  });

  it('returns false when the sign is missing or empty', () => {
    expect(verifyV2({ a: '1' }, key)).toBe(false);
    expect(verifyV2({ a: '1', sign: '' }, key)).toBe(false);
  });

  it('returns false for an unknown sign_type even if the sign matches MD5', () => {
    const p = { a: '1', sign_type: 'SHA1' };
    expect(verifyV2({ ...p, sign: signV2(p, key, 'MD5') }, key)).toBe(false);
  });

  it('returns false for a sign that is neither 32 nor 64 characters long', () => {
    expect(verifyV2({ a: '1', sign: signV2({ a: '1' }, key, 'MD5').slice(0, 31) }, key)).toBe(false);
  });

  it('uses the declared sign_type rather than the length of the sign', () => {
    const p = { a: '1', sign_type: 'HMAC-SHA256' };
    expect(verifyV2({ ...p, sign: signV2(p, key, 'MD5') }, key)).toBe(false);
    expect(verifyV2({ ...p, sign: signV2(p, key, 'HMAC-SHA256') }, key)).toBe(true);
  });
});

describe('detectSignType', () => {
  it.each([
    [{ sign_type: 'MD5' }, undefined, 'MD5'],
    [{ sign_type: 'HMAC-SHA256' }, 'MD5', 'HMAC-SHA256'],
    [{ sign_type: 'SHA1' }, 'MD5', null],
    [{ sign_type: 'md5' }, undefined, null],
    [{ sign: 'A'.repeat(64) }, undefined, 'HMAC-SHA256'],
    [{ sign: 'A'.repeat(32) }, undefined, 'MD5'],
    [{ sign: 'A'.repeat(32) }, 'HMAC-SHA256', 'HMAC-SHA256'],
    [{}, undefined, 'MD5'],
    [{ sign_type: '' }, 'HMAC-SHA256', 'HMAC-SHA256'],
  ] as const)('reads %j with fallback %s as %s', (p, fallback, expected) => {
    expect(detectSignType(p, fallback)).toBe(expected);
  });
});
