import { describe, expect, it } from 'vitest';
import { ordersQuerySchema, payWalletRequestSchema, refundRequestSchema } from './pay';

describe('payWalletRequestSchema', () => {
  it('accepts an integer amount in fen with an optional description', () => {
    expect(payWalletRequestSchema.parse({ amountFen: 1234 })).toEqual({ amountFen: 1234 });
    expect(payWalletRequestSchema.parse({ amountFen: 1, description: ' 充值 ' })).toEqual({
      amountFen: 1,
      description: '充值',
    });
  });

  it.each([
    ['zero', { amountFen: 0 }],
    ['a negative amount', { amountFen: -1 }],
    ['a fractional amount', { amountFen: 12.5 }],
    ['a string amount', { amountFen: '1234' }],
    ['a huge amount', { amountFen: 100_000_001 }],
    ['a missing amount', {}],
    ['an unknown field', { amountFen: 1, openid: 'x' }],
    ['a description with control characters', { amountFen: 1, description: 'a\u0000b' }],
    ['an over-long description', { amountFen: 1, description: 'x'.repeat(41) }],
  ])('rejects %s', (_name, body) => {
    expect(payWalletRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('refundRequestSchema', () => {
  it('rejects unknown fields and non-integer amounts', () => {
    expect(refundRequestSchema.safeParse({ amountFen: 1, extra: true }).success).toBe(false);
    expect(refundRequestSchema.safeParse({ amountFen: 0.5 }).success).toBe(false);
    expect(refundRequestSchema.parse({ amountFen: 5, reason: 'damaged' })).toEqual({
      amountFen: 5,
      reason: 'damaged',
    });
  });

  it('bounds the reason in UTF-8 bytes as WeChat does (80), not in characters', () => {
    // 26 Chinese characters are 78 bytes; 27 are 81, which WeChat's refund_desc refuses.
    expect(refundRequestSchema.safeParse({ amountFen: 1, reason: '退'.repeat(26) }).success).toBe(true);
    expect(refundRequestSchema.safeParse({ amountFen: 1, reason: '退'.repeat(27) }).success).toBe(false);
    expect(refundRequestSchema.safeParse({ amountFen: 1, reason: 'x'.repeat(80) }).success).toBe(true);
    expect(refundRequestSchema.safeParse({ amountFen: 1, reason: '😀'.repeat(21) }).success).toBe(false);
  });
});

describe('ordersQuerySchema', () => {
  it('defaults the page size and bounds it', () => {
    expect(ordersQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(ordersQuerySchema.parse({ limit: '5' })).toEqual({ limit: 5 });
    expect(ordersQuerySchema.safeParse({ limit: '500' }).success).toBe(false);
  });
});
