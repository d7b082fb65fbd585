import type { Middleware } from 'koa';
import { ApiError } from '../shared/api-error';

/** Content types an HTML form (or a no-CORS fetch) can send cross-site without a preflight. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * For state-changing POSTs that take no body (close an order, log out): refuse what a cross-site page can send.
 * The session cookie is `SameSite=Lax`, which already keeps it off cross-site POSTs in current browsers; this is
 * the second lock, for older browsers and same-site-but-other-origin pages. Refused (403 `forbidden`):
 * - an `Origin` that is not one of ours, or `Sec-Fetch-Site: cross-site`;
 * - a form content type without an `Origin` of ours (what a plain `<form method=post>` sends).
 * Accepted: our own `Origin`; `application/json` (a cross-site page cannot send it without a CORS preflight, which
 * we never grant); and no `Origin` and no body at all (curl, server-to-server), which no browser form produces.
 */
export function requireSameOrigin(allowedOrigins: readonly string[]): Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('Origin');
    const ours = origin !== '' && allowedOrigins.includes(origin);
    const crossSite =
      (origin !== '' && !ours) ||
      ctx.get('Sec-Fetch-Site') === 'cross-site' ||
      (!ours && FORM_TYPES.some((type) => ctx.request.type === type));
    if (crossSite) {
      throw new ApiError(
        'forbidden',
        'This request must come from the app itself (cross-site request refused).',
      );
    }
    await next();
  };
}
