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

  it('reads full-width digits and dots as a Chinese keyboard types them', () => {
    expect(parseAmount('１２．３４')).toEqual({ ok: true, amountFen: 1234 });
    expect(parseAmount('１２.３')).toEqual({ ok: true, amountFen: 1230 });
    expect(parseAmount('12。5')).toEqual({ ok: true, amountFen: 1250 });
    expect(parseAmount('\u3000８\u3000')).toEqual({ ok: true, amountFen: 800 });
    expect(parseAmount('－１')).toEqual({ ok: false, problem: 'not_positive' });
    expect(parseAmount('１．２３４')).toEqual({ ok: false, problem: 'too_many_decimals' });
  });

  it.each([
    ['0', 'not_positive'],
    ['0.00', 'not_positive'],
    ['-1', 'not_positive'],
    ['1.234', 'too_many_decimals'],
    ['abc', 'not_a_number'],
    ['1e3', 'not_a_number'],
    ['12.', 'not_a_number'],
    ['１２ａ', 'not_a_number'],
    ['', 'empty'],
    ['   ', 'empty'],
    ['1000000.01', 'too_large'],
    ['99999999999999999999', 'too_large'],
  ])('refuses %j and names the problem (%s) for the form to word', (input, problem) => {
    expect(parseAmount(input)).toEqual({ ok: false, problem });
  });

  it('accepts exactly the largest amount of the api contract and nothing above it', () => {
    expect(parseAmount(String(MAX_AMOUNT_FEN / 100))).toEqual({ ok: true, amountFen: MAX_AMOUNT_FEN });
    expect(parseAmount(String(MAX_AMOUNT_FEN / 100 + 0.01)).ok).toBe(false);
  });
});
