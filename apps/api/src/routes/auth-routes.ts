import { Router } from '@koa/router';
import {
  ROUTES,
  getOpenIdQuerySchema,
  redirectQuerySchema,
  type LogoutEverywhereResult,
  type LogoutResult,
  type UserInfo,
} from '@wxh5/contracts';
import type { Context } from 'koa';
import type { AppDeps } from '../deps';
import { ApiError } from '../shared/api-error';
import { limitRate } from '../http/limit-rate';
import { requireOpenId, type SessionState } from '../http/require-open-id';
import { requireSameOrigin } from '../http/require-same-origin';
import { respond } from '../http/respond';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../http/session-cookie';
import { parseAllowedUrl } from '../shared/allowed-url';
import { createLoginService } from '../users/login-service';
import { createUserOAuthTokenStore } from '../users/oauth-token-store';
import { createSessionRepository } from '../users/session-repository';
import { createUserRepository } from '../users/user-repository';
import { createOAuthClient } from '../wechat/oauth-client';
import { OAUTH_STATE_TTL_MS, createOAuthStateStore } from '../users/oauth-state-store';
import { observeWechatCalls } from '../metrics/create-metrics';
import { createWechatJsonClient } from '../wechat/wechat-http';

/** Binds an OAuth `state` to the browser that started the login (signed, HttpOnly, 10 minutes). */
export const OAUTH_BROWSER_COOKIE = 'wx_oauth';
const BROWSER_NONCE = /^[A-Za-z0-9_-]{16,64}$/;

function readBrowserNonce(ctx: Context): string | undefined {
  const value = ctx.cookies.get(OAUTH_BROWSER_COOKIE, { signed: true });
  return value && BROWSER_NONCE.test(value) ? value : undefined;
}

/**
 * Web OAuth (product.md §5): `redirect` starts it, `getOpenId` is where WeChat sends the browser back,
 * `getUserInfo` answers who is logged in, `logout` revokes this session, `logoutEverywhere` every session of the user.
 */
export function createAuthRoutes(deps: AppDeps): Router {
  const { config, logger, now } = deps;
  const client = createWechatJsonClient({
    baseUrl: config.wechat.apiBaseUrl,
    timeoutMs: config.wechat.timeoutMs,
    logger,
    observe: observeWechatCalls(deps.metrics),
  });
  const users = createUserRepository(deps.db);
  const sessions = createSessionRepository(deps.db);
  const session = requireOpenId(now, sessions.check);
  const states = createOAuthStateStore({ cache: deps.cache, now });
  const login = createLoginService({
    config,
    oauth: createOAuthClient({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, client }),
    states,
    users,
    tokens: createUserOAuthTokenStore(deps.cache),
    now,
    logger,
  });
  const router = new Router();
  const sameOrigin = requireSameOrigin(config.allowedOrigins);

  // Unauthenticated and it stores an OAuth state per call: bounded per client (RATE_LIMIT_REDIRECT_PER_MINUTE).
  router.get(
    ROUTES.redirect,
    limitRate(deps.rateLimits('redirect', config.limits.redirectPerMinute)),
    async (ctx) => {
      const parsed = redirectQuerySchema.safeParse(ctx.query);
      if (!parsed.success) {
        const badScope = parsed.error.issues.some((issue) => issue.path[0] === 'scope');
        throw badScope
          ? new ApiError('invalid_scope', 'scope must be snsapi_base or snsapi_userinfo.')
          : new ApiError('invalid_callback', 'callback must be an absolute http(s) URL.');
      }
      const callback = parseAllowedUrl(parsed.data.callback, config.allowedOrigins);
      if (!callback) {
        throw new ApiError('invalid_callback', 'callback must be a URL on an allowed origin.');
      }
      // One nonce per browser (reused while its cookie lives), so two tabs logging in at once both succeed.
      const browserNonce = readBrowserNonce(ctx) ?? states.createBrowserNonce();
      const { authorizeUrl } = await login.start({
        callback: callback.toString(),
        scope: parsed.data.scope,
        browserNonce,
      });
      ctx.cookies.set(OAUTH_BROWSER_COOKIE, browserNonce, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        maxAge: OAUTH_STATE_TTL_MS,
        path: '/api/wechat',
        overwrite: true,
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(authorizeUrl);
    },
  );

  router.get(ROUTES.getOpenId, async (ctx) => {
    const parsed = getOpenIdQuerySchema.safeParse(ctx.query);
    if (!parsed.success) {
      const badState = parsed.error.issues.some((issue) => issue.path[0] === 'state');
      throw badState
        ? new ApiError('invalid_state', 'state is missing or malformed. Please start the login again.')
        : new ApiError('oauth_code_rejected', 'code is malformed. Please start the login again.');
    }
    const result = await login.complete({
      state: parsed.data.state,
      code: parsed.data.code,
      browserNonce: readBrowserNonce(ctx),
    });
    if (result.kind === 'logged_in') {
      // A fresh session id on every login, at the user's current session version.
      setSessionCookie(
        ctx,
        { openId: result.openId, version: result.sessionVersion },
        now(),
        config.secureCookies,
      );
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(result.redirectTo);
  });

  router.get(ROUTES.getUserInfo, session, async (ctx) => {
    const { openId } = ctx.state as SessionState;
    const user = await users.findByOpenId(openId);
    if (!user) {
      // A validly signed cookie for a user this database does not know (e.g. a wiped database).
      throw new ApiError('unauthenticated', 'Please log in with WeChat again (unknown user).');
    }
    ctx.set('Cache-Control', 'no-store');
    respond<UserInfo>(ctx, {
      openId: user.openId,
      nickname: user.nickname,
      avatarUrl: user.avatarUrl,
      scope: user.scope,
    });
  });

  // No body: a cross-site form could send these two, so the origin is checked (requireSameOrigin).
  // A logout revokes the session id of the cookie sent, until that cookie would have expired anyway, so a copy of
  // it (another tab, a stolen cookie) stops working too. Without a valid cookie there is nothing to revoke: the
  // cookie is cleared all the same. If the database does not answer, the logout fails (503) and the cookie is kept,
  // rather than pretending: the client can try again.
  router.post(ROUTES.logout, sameOrigin, async (ctx) => {
    const current = readSessionCookie(ctx, now());
    if (current) await sessions.revoke(current);
    clearSessionCookie(ctx, config.secureCookies);
    ctx.set('Cache-Control', 'no-store');
    respond<LogoutResult>(ctx, { loggedOut: true });
  });

  // Every session of the user, on every device and instance: the user's session version is bumped, so each cookie
  // carrying an older one is refused. This device is logged out too.
  router.post(ROUTES.logoutEverywhere, sameOrigin, session, async (ctx) => {
    const { openId } = ctx.state as SessionState;
    const version = await sessions.revokeAll(openId, new Date(now()).toISOString());
    logger.info({ sessionVersion: version }, 'user logged out everywhere');
    clearSessionCookie(ctx, config.secureCookies);
    ctx.set('Cache-Control', 'no-store');
    respond<LogoutEverywhereResult>(ctx, { loggedOut: true, everywhere: true });
  });

  return router;
}
