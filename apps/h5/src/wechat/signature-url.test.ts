import { describe, expect, it } from 'vitest';
import { detectPlatform, isWechatUserAgent } from './platform';
import { signatureUrlCandidates, stripFragment } from './signature-url';

const IOS_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.42(0x18002a2d) NetType/WIFI Language/en';
const ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.42.2460(0x28002A35) NetType/WIFI Language/en';

describe('detectPlatform', () => {
  it('treats iPhone and iPad WeChat as iOS and everything else as the current-URL rule', () => {
    expect(detectPlatform(IOS_UA)).toBe('ios');
    expect(detectPlatform(IOS_UA.replace('iPhone', 'iPad'))).toBe('ios');
    expect(detectPlatform(ANDROID_UA)).toBe('android');
    expect(detectPlatform('Mozilla/5.0 (X11; Linux x86_64) Chrome/130')).toBe('android');
  });

  it('recognises WeChat by MicroMessenger in the user agent', () => {
    expect(isWechatUserAgent(IOS_UA)).toBe(true);
    expect(isWechatUserAgent('Mozilla/5.0 (X11; Linux x86_64) Chrome/130')).toBe(false);
  });
});

describe('signatureUrlCandidates', () => {
  const landingUrl = 'https://m.example.com/?from=timeline';
  const currentUrl = 'https://m.example.com/orders/P123#top';

  it('signs the landing URL first on iOS and keeps the current URL as the fallback', () => {
    expect(signatureUrlCandidates({ platform: 'ios', landingUrl, currentUrl })).toEqual([
      'https://m.example.com/?from=timeline',
      'https://m.example.com/orders/P123',
    ]);
  });

  it('signs the current URL first on Android and keeps the landing URL as the fallback', () => {
    expect(signatureUrlCandidates({ platform: 'android', landingUrl, currentUrl })).toEqual([
      'https://m.example.com/orders/P123',
      'https://m.example.com/?from=timeline',
    ]);
  });

  it('has a single candidate when the page has not navigated since it landed', () => {
    const url = 'https://m.example.com/?a=1#/hash-route';
    expect(signatureUrlCandidates({ platform: 'ios', landingUrl: url, currentUrl: url })).toEqual([
      'https://m.example.com/?a=1',
    ]);
  });

  it('never signs a #fragment', () => {
    expect(stripFragment('https://m.example.com/a?b=1#c#d')).toBe('https://m.example.com/a?b=1');
    expect(stripFragment('https://m.example.com/a')).toBe('https://m.example.com/a');
  });
});
