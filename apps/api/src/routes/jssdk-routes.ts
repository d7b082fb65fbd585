import { Router } from '@koa/router';
import { JS_API_LIST, ROUTES, jssdkQuerySchema, type JssdkConfig } from '@wxh5/contracts';
import { jssdkSignature } from '@wxh5/wechat-core';
import type { AppDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { respond } from '../http/respond';
import { parseAllowedUrl } from '../shared/allowed-url';
import { createNoncePool } from '../shared/create-nonce-pool';
import type { TokenManager } from '../wechat/token-manager';

/**
 * `GET /api/wechat/jssdk?url=` → the `wx.config` fields for that page. The signature covers the URL exactly as the
 * page has it (not re-serialised: WeChat hashes the page's own string), minus `#fragment`.
 */
export function createJssdkRoutes(deps: AppDeps, tokens: TokenManager): Router {
  const { config } = deps;
  const router = new Router();
  const jsApiList = [...JS_API_LIST];
  // wechat-core's createNonce draws fresh CSPRNG bytes per call; on this hot path a pooled draw is much cheaper.
  const createNonce = createNoncePool();

  router.get(ROUTES.jssdk, async (ctx) => {
    const parsed = jssdkQuerySchema.safeParse(ctx.query);
    if (!parsed.success) throw new ApiError('invalid_url', 'url must be an absolute http(s) URL.');
    const hash = parsed.data.url.indexOf('#');
    const url = hash === -1 ? parsed.data.url : parsed.data.url.slice(0, hash);
    if (!parseAllowedUrl(url, config.allowedOrigins)) {
      throw new ApiError('invalid_url', 'url must be a page on an allowed origin.');
    }
    const ticket = await tokens.getJsapiTicket();
    const nonceStr = createNonce(16);
    const timestamp = Math.floor(deps.now() / 1000);
    ctx.set('Cache-Control', 'no-store');
    respond<JssdkConfig>(ctx, {
      appId: config.wechat.appId,
      timestamp,
      nonceStr,
      signature: jssdkSignature({ jsapi_ticket: ticket, noncestr: nonceStr, timestamp, url }),
      jsApiList,
    });
  });

  return router;
}
