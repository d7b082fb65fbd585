// @wxh5/wechat-emulator/testing: what tests of any package use against the emulator — the demo credentials it
// seeds (import them, never copy them) and small signed clients. (`use-emulator-with-receiver.ts` stays internal:
// it registers vitest hooks.)
import { DEMO_APP_ID, DEMO_APP_SECRET, DEMO_MCH_ID, DEMO_PAY_KEY } from '../state';
import { DEMO_API_V3_KEY, DEMO_MCH_CERT_SERIAL } from '../v3/wechatpay-keys';

/** The demo app and merchant of product.md §4, seeded by the emulator (valid nowhere else). */
export const DEMO = {
  appId: DEMO_APP_ID,
  appSecret: DEMO_APP_SECRET,
  mchId: DEMO_MCH_ID,
  payKey: DEMO_PAY_KEY,
  apiV3Key: DEMO_API_V3_KEY,
  mchCertSerial: DEMO_MCH_CERT_SERIAL,
} as const;

export { startNotifyReceiver, SUCCESS_REPLY, FAIL_REPLY } from './notify-receiver';
export type { NotifyReceiver, ReceivedNotify } from './notify-receiver';
export { callPay, postXml } from './pay-client';
export type { PayCallOptions } from './pay-client';
export {
  callV3,
  demoV3Merchant,
  fetchWechatpayKeys,
  merchantVerifier,
  registerV3Merchant,
} from './pay-v3-client';
export type { V3Answer, V3CallOptions, V3Merchant, WechatpayKeysAnswer } from './pay-v3-client';
export { waitUntil } from './wait-until';
