import { describe, expect, it } from 'vitest';
import { ordersQuerySchema, payWalletRequestSchema, refundRequestSchema } from './pay';
import { productUpsertSchema } from './products';

describe('payWalletRequestSchema', () => {
  it('takes a product, an optional quantity, or a custom amount for a product that allows one', () => {
    expect(payWalletRequestSchema.parse({ productId: 'course' })).toEqual({ productId: 'course' });
    expect(payWalletRequestSchema.parse({ productId: 'vip-month', quantity: 3 })).toEqual({
      productId: 'vip-month',
      quantity: 3,
    });
    expect(payWalletRequestSchema.parse({ productId: 'tip', amountFen: 1234 })).toEqual({
      productId: 'tip',
      amountFen: 1234,
    });
  });

  it.each([
    ['no product', { amountFen: 1 }],
    ['an upper-case product id', { productId: 'Course' }],
    ['a product id with a slash', { productId: 'a/b' }],
    ['an over-long product id', { productId: 'x'.repeat(33) }],
    ['zero units', { productId: 'course', quantity: 0 }],
    ['a negative quantity', { productId: 'course', quantity: -1 }],
    ['a fractional quantity', { productId: 'course', quantity: 1.5 }],
    ['too many units', { productId: 'course', quantity: 100 }],
    ['a zero amount', { productId: 'tip', amountFen: 0 }],
    ['a negative amount', { productId: 'tip', amountFen: -1 }],
    ['a fractional amount', { productId: 'tip', amountFen: 12.5 }],
    ['a string amount', { productId: 'tip', amountFen: '1234' }],
    ['a huge amount', { productId: 'tip', amountFen: 100_000_001 }],
    ['both a quantity and an amount', { productId: 'tip', amountFen: 100, quantity: 2 }],
    ['a client-sent description (the product names the order)', { productId: 'tip', description: 'x' }],
    ['an unknown field', { productId: 'course', openid: 'x' }],
  ])('rejects %s', (_name, body) => {
    expect(payWalletRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('productUpsertSchema', () => {
  it('defaults to an active fixed-price product with no description', () => {
    expect(productUpsertSchema.parse({ title: ' 课程 ', priceFen: 19900 })).toEqual({
      title: '课程',
      description: '',
      priceFen: 19900,
      allowCustomAmount: false,
      active: true,
    });
  });

  it.each([
    ['no title', { priceFen: 1 }],
    ['no price', { title: 'x' }],
    ['a zero price', { title: 'x', priceFen: 0 }],
    ['a title over 128 UTF-8 bytes', { title: '课'.repeat(43), priceFen: 1 }],
    ['a title with control characters', { title: 'a\u0007', priceFen: 1 }],
    ['an over-long description', { title: 'x', priceFen: 1, description: 'x'.repeat(501) }],
    ['an unknown field', { title: 'x', priceFen: 1, stock: 3 }],
  ])('rejects %s', (_name, body) => {
    expect(productUpsertSchema.safeParse(body).success).toBe(false);
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
