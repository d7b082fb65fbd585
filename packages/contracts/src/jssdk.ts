import { z } from 'zod';

/** `GET /api/wechat/jssdk?url=<page url>`; the api drops the `#fragment` before signing. */
export const jssdkQuerySchema = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2048),
});
export type JssdkQuery = z.infer<typeof jssdkQuerySchema>;

/** The fields `wx.config` takes (minus `debug`). `timestamp` is in seconds. */
export const jssdkConfigSchema = z.object({
  appId: z.string(),
  timestamp: z.number().int(),
  nonceStr: z.string(),
  signature: z.string(),
  jsApiList: z.array(z.string()),
});
export type JssdkConfig = z.infer<typeof jssdkConfigSchema>;

/** The JS-SDK APIs the H5 uses; the api returns this list in `jsApiList`. */
export const JS_API_LIST = ['updateAppMessageShareData', 'updateTimelineShareData', 'chooseWXPay'] as const;
