import { describe, expect, it } from 'vitest';
import { getOpenIdQuerySchema, redirectQuerySchema } from './auth';
import { jssdkQuerySchema } from './jssdk';

describe('redirectQuerySchema', () => {
  it('defaults the scope to snsapi_base', () => {
    expect(redirectQuerySchema.parse({ callback: 'https://m.example.com/' }).scope).toBe('snsapi_base');
  });

  it.each(['javascript:alert(1)', '//evil.example/', '/relative', 'not a url', 'ftp://m.example.com/'])(
    'rejects the callback %s',
    (callback) => {
      expect(redirectQuerySchema.safeParse({ callback }).success).toBe(false);
    },
  );

  it('rejects an unknown scope', () => {
    expect(
      redirectQuerySchema.safeParse({ callback: 'https://a.example/', scope: 'snsapi_login' }).success,
    ).toBe(false);
  });
});

describe('getOpenIdQuerySchema', () => {
  it('accepts a missing code (the user declined) but never a malformed state', () => {
    expect(getOpenIdQuerySchema.parse({ state: 'abc123' })).toEqual({ state: 'abc123' });
    expect(getOpenIdQuerySchema.safeParse({ code: 'c', state: 'a-b' }).success).toBe(false);
    expect(getOpenIdQuerySchema.safeParse({ code: 'c', state: 'x'.repeat(129) }).success).toBe(false);
    expect(getOpenIdQuerySchema.safeParse({ code: 'c' }).success).toBe(false);
  });
});

describe('jssdkQuerySchema', () => {
  it('takes only absolute http(s) URLs', () => {
    expect(jssdkQuerySchema.safeParse({ url: 'http://localhost:3000/#/x' }).success).toBe(true);
    expect(jssdkQuerySchema.safeParse({ url: 'javascript:1' }).success).toBe(false);
    expect(jssdkQuerySchema.safeParse({ url: '' }).success).toBe(false);
  });
});
