import { JS_API_LIST, type JssdkConfig } from '@wxh5/contracts';
import { jssdkSignature } from '@wxh5/wechat-core';
import { createNoncePool } from '../shared/create-nonce-pool';
import type { TokenManager } from './token-manager';

export interface JssdkConfigService {
  /** The `wx.config` fields for a page; `pageUrl` is already checked and has no `#fragment`. */
  configFor(pageUrl: string): Promise<JssdkConfig>;
}

/**
 * Signs `wx.config` with the cached global `jsapi_ticket`. The signature covers the URL exactly as the page has it
 * (not re-serialised: WeChat hashes the page's own string), and the `nonceStr`/`timestamp` signed are the ones
 * returned.
 */
export function createJssdkConfigService(options: {
  appId: string;
  tokens: Pick<TokenManager, 'getJsapiTicket'>;
  now: () => number;
}): JssdkConfigService {
  const jsApiList = [...JS_API_LIST];
  // wechat-core's createNonce draws fresh CSPRNG bytes per call; on this hot path a pooled draw is much cheaper.
  const createNonce = createNoncePool();
  return {
    async configFor(pageUrl) {
      const ticket = await options.tokens.getJsapiTicket();
      const nonceStr = createNonce(16);
      const timestamp = Math.floor(options.now() / 1000);
      return {
        appId: options.appId,
        timestamp,
        nonceStr,
        signature: jssdkSignature({ jsapi_ticket: ticket, noncestr: nonceStr, timestamp, url: pageUrl }),
        jsApiList,
      };
    },
  };
}
