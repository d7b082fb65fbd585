/** Which JS-SDK URL rule a WeChat client follows: iOS signs an SPA's landing URL, Android the current one. */
export type WxPlatform = 'ios' | 'android';

/** iPhone/iPad/iPod WeChat → 'ios'; everything else (Android, desktop WeChat) signs the current URL → 'android'. */
export function detectPlatform(userAgent: string): WxPlatform {
  return /iphone|ipad|ipod/i.test(userAgent) ? 'ios' : 'android';
}

/** jweixin only talks to the native bridge when the user agent says MicroMessenger; elsewhere it stays silent. */
export function isWechatUserAgent(userAgent: string): boolean {
  return /micromessenger/i.test(userAgent);
}
