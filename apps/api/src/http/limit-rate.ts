import type { Context, Middleware } from 'koa';
import type { RateLimit } from '../shared/create-rate-limits';
import { ApiError } from '../shared/api-error';

/**
 * Middleware: count the request against `limit` under `keyOf(ctx)` (the client IP by default); over the limit →
 * 429 `rate_limited` with `Retry-After`.
 */
export function limitRate(limit: RateLimit, keyOf: (ctx: Context) => string = (ctx) => ctx.ip): Middleware {
  return async (ctx, next) => {
    const verdict = await limit(keyOf(ctx));
    if (!verdict.allowed) {
      throw new ApiError('rate_limited', 'Too many requests from this client. Please wait and try again.', {
        headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
      });
    }
    await next();
  };
}
