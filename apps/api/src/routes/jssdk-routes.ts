import { Router } from '@koa/router';
import { JS_API_LIST, ROUTES, type JssdkConfig } from '@wxh5/contracts';
import { jssdkSignature } from '@wxh5/wechat-core';
import type { AppDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { respond } from '../http/respond';
import { parseAllowedUrl } from '../shared/allowed-url';
import { createNoncePool } from '../shared/create-nonce-pool';
import type { TokenManager } from '../wechat/token-manager';

const TAB_OR_NEWLINE = /[\t\n\r]/g;

/**
 * The `url` query parameter as `jssdkQuerySchema` (`z.url({protocol: /^https?$/}).max(2048)`) accepts and
 * outputs it, without zod's URL parse (the allowed-origin check right after parses it once anyway): one string,
 * trimmed, spelled `http(s)://`, ASCII tabs and newlines removed (zod's output; the URL parser ignores them too),
 * at most 2048 characters. Whether it parses as an http(s) URL is left to `parseAllowedUrl`, which refuses the
 * same inputs (a fragment never makes a URL unparseable).
 */
export function jssdkPageUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  const value = trimmed.replace(TAB_OR_NEWLINE, '');
  return value.length <= 2048 ? value : undefined;
}

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
    const page = jssdkPageUrl(ctx.query['url']);
    if (page === undefined) throw new ApiError('invalid_url', 'url must be an absolute http(s) URL.');
    const hash = page.indexOf('#');
    const url = hash === -1 ? page : page.slice(0, hash);
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
