import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../test/arbitraries';
import { InvalidAmountError } from './invalid-amount-error';
import type { InvalidAmountReason } from './invalid-amount-error';
import { fenToYuan, yuanToFen } from './money';

function reasonOf(run: () => unknown): InvalidAmountReason | 'no error' | 'other error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    return error instanceof InvalidAmountError ? error.reason : 'other error';
  }
}

describe('yuanToFen', () => {
  it.each([
    ['12', 1200],
    ['12.3', 1230],
    ['12.34', 1234],
    ['0.01', 1],
    ['0.1', 10],
    ['0', 0],
    ['0.00', 0],
    ['19.99', 1999],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('converts %s yuan to %i fen', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each<[unknown, InvalidAmountReason]>([
    ['', 'empty'],
    ['-1', 'negative'],
    ['-0.01', 'negative'],
    ['+1', 'plus_sign'],
    ['1e3', 'exponent'],
    ['1E3', 'exponent'],
    ['1.234', 'too_many_decimals'],
    ['0.001', 'too_many_decimals'],
    ['90071992547409.92', 'too_large'],
    ['99999999999999999999', 'too_large'],
    ['abc', 'malformed'],
    ['12.', 'malformed'],
    ['.5', 'malformed'],
    ['012', 'malformed'],
    [' 12', 'malformed'],
    ['12 ', 'malformed'],
    ['1,000', 'malformed'],
    ['0x10', 'malformed'],
    ['Infinity', 'malformed'],
    ['NaN', 'malformed'],
    ['１２', 'malformed'],
    [12, 'not_string'],
    [null, 'not_string'],
  ])('rejects %j as %s', (input, reason) => {
    expect(reasonOf(() => yuanToFen(input as string))).toBe(reason);
  });

  it('carries the stable code INVALID_AMOUNT', () => {
    expect(() => yuanToFen('x')).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
  });
});

describe('fenToYuan', () => {
  it.each([
    [1234, '12.34'],
    [5, '0.05'],
    [50, '0.50'],
    [0, '0.00'],
    [100, '1.00'],
  ])('formats %i fen as %s', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
  });

  it.each<[number, InvalidAmountReason]>([
    [-1, 'negative'],
    [1.5, 'not_integer'],
    [Number.NaN, 'not_integer'],
    [Number.MAX_SAFE_INTEGER + 1, 'not_integer'],
  ])('rejects %d as %s', (fen, reason) => {
    expect(reasonOf(() => fenToYuan(fen))).toBe(reason);
  });

  it('is undone by yuanToFen for every safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.maxSafeNat()), (fen) => {
        expect(yuanToFen(fenToYuan(fen))).toBe(fen);
      }),
      runs,
    );
  });
});
