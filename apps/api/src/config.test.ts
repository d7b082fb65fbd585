import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

const valid = {
  PUBLIC_BASE_URL: 'https://m.example.com/',
  COOKIE_KEYS: 'k'.repeat(32) + ',' + 'o'.repeat(40),
  WECHAT_APP_ID: 'wx8a4c5b1d2e3f6a70',
  WECHAT_APP_SECRET: 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a',
  WECHAT_MCH_ID: '1900000109',
  WECHAT_PAY_KEY: 'DemoPayKey0123456789abcdefABCDEF',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const config = parseConfig(valid);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicBaseUrl).toBe('https://m.example.com');
    expect(config.secureCookies).toBe(true);
    expect(config.databaseUrl).toBe('sqlite:./data/wxh5.sqlite');
    expect(config.redisUrl).toBeUndefined();
    expect(config.wechat.paySignType).toBe('HMAC-SHA256');
    expect(config.wechat.oauthBaseUrl).toBe('https://open.weixin.qq.com');
    expect(config.wechat.apiBaseUrl).toBe('https://api.weixin.qq.com');
    expect(config.wechat.payBaseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(config.allowedOrigins).toEqual(['https://m.example.com']);
    expect(config.cookieKeys).toHaveLength(2);
    expect(config.trustProxy).toBe(false);
    expect(config.adminToken).toBeUndefined();
  });

  it('lists every missing secret in one error', () => {
    const problems = problemsOf({});
    for (const name of [
      'PUBLIC_BASE_URL',
      'COOKIE_KEYS',
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'WECHAT_MCH_ID',
      'WECHAT_PAY_KEY',
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('rejects short cookie keys, a pay key that is not 32 characters and an unknown sign type', () => {
    const problems = problemsOf({
      ...valid,
      COOKIE_KEYS: 'short',
      WECHAT_PAY_KEY: 'x',
      WECHAT_PAY_SIGN_TYPE: 'SHA1',
      ADMIN_TOKEN: 'tiny',
    });
    expect(problems).toHaveLength(4);
  });

  it('adds extra allowed origins, reduced to their origin', () => {
    const config = parseConfig({
      ...valid,
      ALLOWED_CALLBACK_ORIGINS: 'http://localhost:5173/x, http://127.0.0.1:3000',
    });
    expect(config.allowedOrigins).toEqual([
      'https://m.example.com',
      'http://localhost:5173',
      'http://127.0.0.1:3000',
    ]);
  });

  it('rejects a database URL that is neither sqlite nor postgres', () => {
    expect(problemsOf({ ...valid, DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL/);
  });
});
