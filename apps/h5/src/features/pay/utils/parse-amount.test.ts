import { MAX_AMOUNT_FEN } from '@wxh5/contracts';
import { describe, expect, it } from 'vitest';
import { parseAmount } from './parse-amount';

describe('parseAmount', () => {
  it.each([
    ['12.34', 1234],
    ['0.01', 1],
    ['0.1', 10],
    ['1', 100],
    ['19.99', 1999],
    ['0.29', 29],
    ['1000000', 100_000_000],
    ['1000000.00', 100_000_000],
  ])('converts %s yuan to %i fen exactly', (input, fen) => {
    expect(parseAmount(input)).toEqual({ ok: true, amountFen: fen });
  });

  it('forgives surrounding spaces and a full-width decimal point', () => {
    expect(parseAmount('  8.5 ')).toEqual({ ok: true, amountFen: 850 });
    expect(parseAmount('8．5')).toEqual({ ok: true, amountFen: 850 });
  });

  it.each([
    ['0', 'more than ¥0'],
    ['0.00', 'more than ¥0'],
    ['-1', 'more than ¥0'],
    ['1.234', 'at most two decimals'],
    ['abc', 'Enter a number'],
    ['1e3', 'Enter a number'],
    ['12.', 'Enter a number'],
    ['', 'Enter an amount'],
    ['   ', 'Enter an amount'],
    ['1000000.01', 'at most ¥1,000,000'],
    ['99999999999999999999', 'at most ¥1,000,000'],
  ])('refuses %j with a sentence about it', (input, words) => {
    const result = parseAmount(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(words);
  });

  it('accepts exactly the largest amount of the api contract and nothing above it', () => {
    expect(parseAmount(String(MAX_AMOUNT_FEN / 100))).toEqual({ ok: true, amountFen: MAX_AMOUNT_FEN });
    expect(parseAmount(String(MAX_AMOUNT_FEN / 100 + 0.01)).ok).toBe(false);
  });
});
