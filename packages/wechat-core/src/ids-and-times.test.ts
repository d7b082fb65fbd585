import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../test/arbitraries';
import { createNonce } from './create-nonce';
import { createOutTradeNo } from './create-out-trade-no';
import { PayTimeParseError } from './pay-time-parse-error';
import { formatPayTime, parsePayTime } from './pay-time';

describe('createNonce', () => {
  it('returns 32 characters of [A-Za-z0-9] by default and the asked length otherwise', () => {
    expect(createNonce()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(createNonce(16)).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('does not repeat itself', () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => createNonce()));
    expect(nonces.size).toBe(1000);
  });

  it('uses every character of the alphabet', () => {
    expect(new Set(createNonce(5000)).size).toBe(62);
  });

  it('refuses a zero or fractional length', () => {
    expect(() => createNonce(0)).toThrow(RangeError);
    expect(() => createNonce(1.5)).toThrow(RangeError);
  });
});

describe('createOutTradeNo', () => {
  it('is 32 characters of [0-9A-Za-z] starting with the Beijing time to the millisecond', () => {
    const id = createOutTradeNo(new Date('2024-01-31T16:05:06.007Z'));
    expect(id).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(id.slice(0, 17)).toBe('20240201000506007');
  });

  it('sorts in the order of creation time', () => {
    const time = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) });
    fc.assert(
      fc.property(time, time, (a, b) => {
        fc.pre(a !== b);
        const [early, late] = a < b ? [a, b] : [b, a];
        expect(createOutTradeNo(new Date(early)) < createOutTradeNo(new Date(late))).toBe(true);
      }),
      runs,
    );
  });

  it('differs between two calls in the same millisecond', () => {
    const now = new Date();
    expect(createOutTradeNo(now)).not.toBe(createOutTradeNo(now));
  });
});

describe('pay time', () => {
  it('formats an instant as yyyyMMddHHmmss in Beijing time', () => {
    expect(formatPayTime(new Date('2014-12-31T16:00:01Z'))).toBe('20150101000001');
  });

  it('parses time_end and success_time formats as Beijing time', () => {
    expect(parsePayTime('20150101000001').toISOString()).toBe('2014-12-31T16:00:01.000Z');
    expect(parsePayTime('2020-01-04 18:34:24').toISOString()).toBe('2020-01-04T10:34:24.000Z');
  });

  it('round-trips every whole second', () => {
    const seconds = fc.integer({ min: 0, max: Math.floor(Date.UTC(2099, 0, 1) / 1000) });
    fc.assert(
      fc.property(seconds, (s) => {
        expect(parsePayTime(formatPayTime(new Date(s * 1000))).getTime()).toBe(s * 1000);
      }),
      runs,
    );
  });

  it.each([
    '',
    '2015010100000',
    '201501010000011',
    '20150230000000',
    '20151301000000',
    '20150101240000',
    '20150101006000',
    '2015-01-01T00:00:01',
    '2015-01-01 00:00:01Z',
    'yyyyMMddHHmmss',
    ' 20150101000001',
  ])('rejects %j with a PayTimeParseError', (input) => {
    expect(() => parsePayTime(input)).toThrow(PayTimeParseError);
  });
});
