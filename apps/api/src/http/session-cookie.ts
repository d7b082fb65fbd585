import type { Context } from 'koa';

/** The session cookie: the user's openid, signed with `app.keys` (Keygrip, sha256). */
export const SESSION_COOKIE = 'openId';
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The cookie value carries the openid and its expiry, `<openid>.<expiresAtSeconds>`, so an old signed cookie
 * cannot be replayed past its lifetime even if the browser kept it.
 */
export function setSessionCookie(ctx: Context, openId: string, nowMs: number, secure: boolean): void {
  const expiresAt = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
  ctx.cookies.set(SESSION_COOKIE, `${openId}.${expiresAt}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: SESSION_TTL_SECONDS * 1000,
    overwrite: true,
  });
}

export function clearSessionCookie(ctx: Context, secure: boolean): void {
  ctx.cookies.set(SESSION_COOKIE, null, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    overwrite: true,
  });
}

/** The openid of a valid, unexpired, correctly signed session cookie, or undefined. */
export function readSessionCookie(ctx: Context, nowMs: number): string | undefined {
  const value = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  if (!value) return undefined;
  const match = /^([A-Za-z0-9_-]{1,128})\.(\d{1,12})$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  if (Number(match[2]) * 1000 <= nowMs) return undefined;
  return match[1];
}
