import type { Middleware } from 'koa';
import type { MpVerifyFile } from '../config';

/**
 * Answer WeChat's domain check: before it accepts a JS-safe domain (JS接口安全域名) or an OAuth domain (网页授权域名),
 * WeChat fetches `https://<domain>/MP_verify_<token>.txt` and compares its content with the token — at the domain
 * root, exactly that name, plain text. Served from configuration (`WECHAT_MP_VERIFY_FILE`), so no file has to be put
 * in front of the api.
 */
export function serveMpVerifyFile(file: MpVerifyFile): Middleware {
  const urlPath = `/${file.fileName}`;
  return async (ctx, next) => {
    if (ctx.path !== urlPath || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    ctx.state.route = 'mp-verify-file';
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = file.contents;
  };
}
