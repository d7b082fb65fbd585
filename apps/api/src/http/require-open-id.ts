import type { Middleware } from 'koa';
import { ApiError } from '../shared/api-error';
import { readSessionCookie } from './session-cookie';

/** What protected routes find in `ctx.state` after `requireOpenId`. */
export interface SessionState {
  openId: string;
}

/**
 * Guard for the pay routes: a missing, tampered, unsigned, retired-key or expired `openId` cookie → 401 in the
 * envelope. Cookies signed with an older key of `COOKIE_KEYS` still verify (Keygrip rotation).
 */
export function requireOpenId(now: () => number): Middleware {
  return async (ctx, next) => {
    const openId = readSessionCookie(ctx, now());
    if (!openId) {
      throw new ApiError('unauthenticated', 'Please log in with WeChat first (no valid session).');
    }
    (ctx.state as SessionState).openId = openId;
    await next();
  };
}
