import type { Middleware } from 'koa';
import { ApiError } from '../shared/api-error';
import { readSessionCookie, type SessionClaims } from './session-cookie';

/** What protected routes find in `ctx.state` after `requireOpenId`. */
export interface SessionState {
  openId: string;
  /** The whole verified cookie (logout-everywhere and logout use it). */
  session: SessionClaims;
}

/** Why a signed, unexpired session no longer counts. */
export type SessionRefusal = 'revoked' | 'outdated' | 'unknown_user';

/**
 * Asks the store whether a session still counts (`users/session-repository.ts`): `undefined` when it does. Injected,
 * because http/ does not reach the database. Must not answer from a per-instance cache: a logout on one instance
 * has to refuse the cookie on every other at once. A database that does not answer throws (→ 503, not 401).
 */
export type SessionChecker = (session: SessionClaims) => Promise<SessionRefusal | undefined>;

const REFUSALS = {
  revoked: 'This session has been logged out. Please log in with WeChat again.',
  outdated: 'This session was logged out on every device. Please log in with WeChat again.',
  unknown_user: 'Please log in with WeChat again (unknown user).',
} satisfies Record<SessionRefusal, string>;

/**
 * Guard for the session routes: a missing, tampered, unsigned, retired-key, expired or pre-v2 `openId` cookie → 401
 * in the envelope, and so is a revoked one (logged out, logged out everywhere, revoked by an admin). Cookies signed
 * with an older key of `COOKIE_KEYS` still verify (Keygrip rotation).
 */
export function requireOpenId(now: () => number, checkSession: SessionChecker): Middleware {
  return async (ctx, next) => {
    const session = readSessionCookie(ctx, now());
    if (!session) {
      throw new ApiError('unauthenticated', 'Please log in with WeChat first (no valid session).');
    }
    const refusal = await checkSession(session);
    if (refusal) throw new ApiError('unauthenticated', REFUSALS[refusal]);
    const state = ctx.state as SessionState;
    state.openId = session.openId;
    state.session = session;
    await next();
  };
}
