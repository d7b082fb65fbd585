/**
 * Secrets that are published in this repository (`.env.example`, `scripts/demo.mjs`, the emulator's seeded demo
 * account of product.md §4): anyone can read them, so they may only ever sign or unlock things on a demo set-up.
 * `parseConfig` refuses to start when one of them meets a production signal (the real WeChat hosts or an https
 * `PUBLIC_BASE_URL`).
 */
export const DEMO_SECRET_VALUES: Readonly<Record<string, readonly string[]>> = {
  COOKIE_KEYS: [
    'demo-cookie-key-change-me-0123456789abcdef',
    'wxh5-demo-cookie-key-0123456789abcdef-not-secret',
  ],
  ADMIN_TOKEN: ['wxh5-demo-admin-token-0123456789abcdef-not-secret'],
  WECHAT_APP_ID: ['wx8a4c5b1d2e3f6a70'],
  WECHAT_APP_SECRET: ['d2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a'],
  WECHAT_MCH_ID: ['1900000109'],
  WECHAT_PAY_KEY: ['DemoPayKey0123456789abcdefABCDEF'],
  // The emulator's demo merchant in API v3 (packages/wechat-emulator/demo-keys: its key files are public too).
  WECHAT_PAY_API_V3_KEY: ['DemoApiV3Key0123456789abcdefABCD'],
  WECHAT_PAY_MCH_CERT_SERIAL: ['3775B6A45ACD588826D15E583A95F5DD3D1E5F21'],
  WECHAT_PAY_PUBLIC_KEY_ID: ['PUB_KEY_ID_0119000001092026120200118800000001'],
};

/** WeChat's own hosts (open.weixin.qq.com, api.weixin.qq.com, api.mch.weixin.qq.com, their api2 mirrors…). */
export function isRealWechatHost(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.toLowerCase();
  return host === 'weixin.qq.com' || host.endsWith('.weixin.qq.com');
}
