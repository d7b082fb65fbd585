import { Router } from '@koa/router';
import { ROUTES } from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { ApiError } from '../shared/api-error';
import { respond } from '../http/respond';
import { parseAllowedUrl } from '../shared/allowed-url';
import { createJssdkConfigService } from '../wechat/jssdk-config';
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
 * `GET /api/wechat/jssdk?url=` → the `wx.config` fields for that page, signed over the URL minus `#fragment`
 * (see createJssdkConfigService).
 */
export function createJssdkRoutes(deps: AppDeps, tokens: TokenManager): Router {
  const { config } = deps;
  const router = new Router();
  const jssdk = createJssdkConfigService({ appId: config.wechat.appId, tokens, now: deps.now });

  router.get(ROUTES.jssdk, async (ctx) => {
    const page = jssdkPageUrl(ctx.query['url']);
    if (page === undefined) throw new ApiError('invalid_url', 'url must be an absolute http(s) URL.');
    const hash = page.indexOf('#');
    const url = hash === -1 ? page : page.slice(0, hash);
    if (!parseAllowedUrl(url, config.allowedOrigins)) {
      throw new ApiError('invalid_url', 'url must be a page on an allowed origin.');
    }
    ctx.set('Cache-Control', 'no-store');
    respond(ctx, await jssdk.configFor(url));
  });

  return router;
}
