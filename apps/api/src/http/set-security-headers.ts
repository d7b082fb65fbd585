import type { Middleware } from 'koa';

export interface SecurityHeadersOptions {
  /** https PUBLIC_BASE_URL: browsers are told to use https only (HSTS). */
  https: boolean;
  /** The emulator's bridge script (demo/test only): its origin may serve scripts and answer fetches. */
  bridgeScriptUrl: string | undefined;
}

/** WeChat's JS-SDK hosts (jweixin from the CDN; the H5 bundles weixin-js-sdk, but a page may load it from here). */
const JSSDK_HOSTS = ['https://res.wx.qq.com', 'https://res2.wx.qq.com'];
/** Half a year: long enough to matter, short enough to undo a mistake. */
const HSTS_MAX_AGE_SECONDS = 180 * 24 * 3600;

/**
 * The page's Content-Security-Policy: scripts from this origin and the JS-SDK hosts only (plus the bridge script's
 * origin on a demo set-up), no plugins, no framing by anyone, forms and `<base>` pinned to this origin. Images may
 * come from any https host (WeChat avatars live on thirdwx.qlogo.cn, share icons anywhere).
 */
export function contentSecurityPolicy(bridgeScriptUrl: string | undefined): string {
  const bridge = bridgeScriptUrl ? [new URL(bridgeScriptUrl).origin] : [];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...JSSDK_HOSTS, ...bridge],
    'connect-src': ["'self'", ...bridge],
    'img-src': ["'self'", 'data:', 'https:', ...bridge],
    // React sets style through the CSSOM (allowed); the bridge's overlay does the same. Inline <style> stays allowed
    // for the emulator's badge and third-party widgets; styles cannot run code.
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'", ...bridge],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/**
 * Headers for every response: no MIME sniffing, never framed (clickjacking), referrers cut to the origin when they
 * leave it (an OAuth callback URL carries `code`), HSTS on https, and `no-store` on every `/api/` answer unless the
 * route chose otherwise — they carry a user's orders, openid and tokens, which no shared cache may keep. The CSP
 * goes on HTML only: JSON and XML answers run no scripts.
 */
export function setSecurityHeaders(options: SecurityHeadersOptions): Middleware {
  const csp = contentSecurityPolicy(options.bridgeScriptUrl);
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
      if (options.https) ctx.set('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_SECONDS}`);
      if (ctx.path.startsWith('/api/') && !ctx.response.get('Cache-Control'))
        ctx.set('Cache-Control', 'no-store');
      if (ctx.response.is('html')) ctx.set('Content-Security-Policy', csp);
      else ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    }
  };
}
