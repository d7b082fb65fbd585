import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';

/** The session cookie: the user's openid, signed with `app.keys` (Keygrip, sha256). */
export const SESSION_COOKIE = 'openId';
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

/** 128 random bits, base64url (22 characters): names one session so that logging out can revoke exactly it. */
const SESSION_ID_BYTES = 16;

/** What a valid session cookie says; the revocation check (`requireOpenId`) decides whether it still counts. */
export interface SessionClaims {
  openId: string;
  /** Unix seconds: the cookie's own end of life (a revocation is kept until then). */
  expiresAt: number;
  /** Random per login; `POST /api/wechat/logout` revokes it. */
  sessionId: string;
  /** `users.session_version` at login; "log out everywhere" bumps it, refusing every older cookie. */
  version: number;
}

/**
 * v2 value: `<openid>.<expiresAtSeconds>.<sessionId>.<sessionVersion>`. The expiry stops an old signed cookie from
 * being replayed past its lifetime even if the browser kept it; the session id and version let the server revoke
 * it before then. The v1 value (`<openid>.<expiresAtSeconds>`, before issue 12) is refused: it names no session, so
 * it could not be revoked by a logout — accepting it would leave every cookie captured before the upgrade working
 * for up to 7 more days. Those users log in again once (silently for snsapi_base).
 */
const SESSION_VALUE = /^([A-Za-z0-9_-]{1,128})\.(\d{1,12})\.([A-Za-z0-9_-]{22,64})\.(\d{1,9})$/;

export function createSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/** Sets a new session (a fresh session id) for `openId` at its current session version. */
export function setSessionCookie(
  ctx: Context,
  session: { openId: string; version: number },
  nowMs: number,
  secure: boolean,
): SessionClaims {
  const claims: SessionClaims = {
    openId: session.openId,
    expiresAt: Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS,
    sessionId: createSessionId(),
    version: session.version,
  };
  ctx.cookies.set(SESSION_COOKIE, formatSessionValue(claims), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: SESSION_TTL_SECONDS * 1000,
    overwrite: true,
  });
  return claims;
}

export function formatSessionValue(claims: SessionClaims): string {
  return `${claims.openId}.${claims.expiresAt}.${claims.sessionId}.${claims.version}`;
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

/**
 * The claims of a correctly signed, unexpired, v2 session cookie, or undefined. Signature and expiry only: whether
 * the session was revoked is the store's to say (`requireOpenId`).
 */
export function readSessionCookie(ctx: Context, nowMs: number): SessionClaims | undefined {
  const value = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  if (!value) return undefined;
  const match = SESSION_VALUE.exec(value);
  if (!match?.[1] || !match[2] || !match[3] || !match[4]) return undefined;
  const expiresAt = Number(match[2]);
  if (expiresAt * 1000 <= nowMs) return undefined;
  return { openId: match[1], expiresAt, sessionId: match[3], version: Number(match[4]) };
}
