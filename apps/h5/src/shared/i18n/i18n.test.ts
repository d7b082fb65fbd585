import { API_ERRORS } from '@wxh5/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error';
import { describeError } from './describe-error';
import { formatFen, formatTime } from './format';
import { CATALOGUES } from './i18n-context';
import { detectLocale, matchLocale } from './locale';

function leaves(value: unknown, path = ''): Array<[string, unknown]> {
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
  }
  return [[path, value]];
}

describe('locale detection', () => {
  it('is Chinese by default', () => {
    expect(detectLocale({ search: '', languages: [], stored: null })).toBe('zh-CN');
    expect(detectLocale({ search: '', languages: ['fr-FR', 'de'], stored: null })).toBe('zh-CN');
  });

  it('follows the first browser language it speaks', () => {
    expect(detectLocale({ search: '', languages: ['en-US', 'zh-CN'], stored: null })).toBe('en');
    expect(detectLocale({ search: '', languages: ['fr', 'zh-TW', 'en'], stored: null })).toBe('zh-CN');
  });

  it('lets ?lang= win over the kept choice and the browser', () => {
    expect(detectLocale({ search: '?lang=en', languages: ['zh-CN'], stored: 'zh-CN' })).toBe('en');
    expect(detectLocale({ search: '?lang=zh', languages: ['en-US'], stored: 'en' })).toBe('zh-CN');
    expect(detectLocale({ search: '?lang=xx', languages: ['en-US'], stored: 'zh-CN' })).toBe('zh-CN');
  });

  it('reads WeChat-style tags', () => {
    expect(matchLocale('zh_CN')).toBe('zh-CN');
    expect(matchLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(matchLocale('EN')).toBe('en');
    expect(matchLocale('ja')).toBeUndefined();
  });
});

describe('formatting', () => {
  it('shows amounts as ¥ with two decimals and grouped yuan in both locales', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      expect(formatFen(1234, locale)).toBe('¥12.34');
      expect(formatFen(1, locale)).toBe('¥0.01');
      expect(formatFen(100_000_000, locale)).toBe('¥1,000,000.00');
    }
  });

  it('formats times for the locale and leaves an unreadable one as it is', () => {
    const iso = '2026-11-24T04:05:00.000Z';
    const local = new Date(iso);
    const zh = formatTime(iso, 'zh-CN');
    expect(zh).toContain(String(local.getFullYear()));
    expect(zh).toContain(String(local.getMinutes()).padStart(2, '0'));
    expect(formatTime('not a time', 'en')).toBe('not a time');
  });
});

describe('the catalogues', () => {
  it('have the same keys, and no empty words', () => {
    const zh = leaves(CATALOGUES['zh-CN']);
    const en = leaves(CATALOGUES.en);
    expect(en.map(([key]) => key)).toEqual(zh.map(([key]) => key));
    for (const [key, value] of [...zh, ...en]) {
      if (typeof value === 'string') expect(value.trim(), key).not.toBe('');
      else expect(typeof value, key).toBe('function');
    }
  });

  it("use WeChat Pay's own words in Chinese", () => {
    const zh = CATALOGUES['zh-CN'];
    expect(zh.order.paidTitle).toBe('支付成功');
    expect(zh.order.processingTitle).toBe('支付处理中');
    expect(zh.common.myOrders).toBe('我的订单');
    expect(zh.status.REFUNDED).toBe('已退款');
    expect(zh.order.payAgain).toBe('再次支付');
  });

  it("word every api error slug in the user's language, never with the server's message", () => {
    for (const slug of Object.keys(API_ERRORS)) {
      const error = new ApiError('api', 400, slug, 'English text from the server');
      const zh = describeError(error, CATALOGUES['zh-CN']);
      const en = describeError(error, CATALOGUES.en);
      expect(zh, slug).toMatch(/[\u4e00-\u9fff]/);
      expect(zh).not.toContain('English text from the server');
      expect(en).not.toContain('English text from the server');
    }
  });

  it('words a network failure, a bad answer and an unknown slug', () => {
    const zh = CATALOGUES['zh-CN'];
    expect(describeError(new ApiError('network', 0, 'network_error', 'x'), zh)).toBe(zh.errors.network_error);
    expect(describeError(new ApiError('bad_response', 502, 'bad_response', 'x'), zh)).toBe(
      zh.errors.bad_response,
    );
    expect(describeError(new ApiError('api', 418, 'teapot', 'x'), zh)).toBe(zh.errors.unknown_error);
    expect(describeError(new Error('boom'), zh)).toBe(zh.errors.unknown_error);
  });
});
