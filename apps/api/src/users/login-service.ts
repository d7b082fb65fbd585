import { AUTH_DENIED_PARAM, AUTH_DENIED_VALUE, ROUTES, type OAuthScope } from '@wxh5/contracts';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ApiError } from '../shared/api-error';
import { REJECTED_CODE_ERRCODES, type OAuthClient } from '../wechat/oauth-client';
import type { OAuthStateStore, TakeStateResult } from './oauth-state-store';
import { WechatRefusedError } from '../shared/wechat-error';
import type { UserOAuthTokenStore } from './oauth-token-store';
import type { UserRepository } from './user-repository';

export interface LoginServiceDeps {
  config: Config;
  oauth: OAuthClient;
  states: OAuthStateStore;
  users: UserRepository;
  tokens: UserOAuthTokenStore;
  now: () => number;
  logger: Logger;
}

export type LoginResult =
  | { kind: 'denied'; redirectTo: string }
  | { kind: 'logged_in'; redirectTo: string; openId: string; sessionVersion: number };

const STATE_PROBLEMS: Record<Exclude<TakeStateResult, { ok: true }>['reason'], string> = {
  unknown: 'This login link is unknown or has expired. Please start the login again.',
  expired: 'This login link has expired. Please start the login again.',
  other_browser: 'This login was started in another browser. Please start the login again here.',
  replayed: 'This login link has already been used. Please start the login again.',
};

/**
 * WeChat's authorize URL. Parameter order matters (WeChat matches the link by pattern), `redirect_uri` is fully
 * encoded (`:` and `/` included), and `#wechat_redirect` is mandatory.
 */
export function buildAuthorizeUrl(config: Config, scope: OAuthScope, state: string): string {
  const redirectUri = encodeURIComponent(`${config.publicBaseUrl}${ROUTES.getOpenId}`);
  return (
    `${config.wechat.oauthBaseUrl}/connect/oauth2/authorize?appid=${config.wechat.appId}` +
    `&redirect_uri=${redirectUri}&response_type=code&scope=${scope}&state=${state}#wechat_redirect`
  );
}

/** The OAuth round trip: start (state + authorize URL) and complete (state check, code exchange, user upsert). */
export function createLoginService(deps: LoginServiceDeps) {
  const { config, oauth, states, users, tokens, now, logger } = deps;

  async function start(input: { callback: string; scope: OAuthScope; browserNonce: string }) {
    const state = await states.create(input);
    return { state, authorizeUrl: buildAuthorizeUrl(config, input.scope, state) };
  }

  async function exchange(code: string) {
    try {
      return await oauth.exchangeCode(code);
    } catch (err) {
      if (
        err instanceof WechatRefusedError &&
        err.errcode !== undefined &&
        REJECTED_CODE_ERRCODES.has(err.errcode)
      ) {
        throw new ApiError(
          'oauth_code_rejected',
          `WeChat rejected the login code (errcode ${err.errcode}). Please start the login again.`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async function complete(input: {
    state: string;
    code: string | undefined;
    browserNonce: string | undefined;
  }): Promise<LoginResult> {
    const taken = await states.take(input.state, input.browserNonce);
    if (!taken.ok) {
      logger.info({ reason: taken.reason }, 'oauth state refused');
      throw new ApiError('invalid_state', STATE_PROBLEMS[taken.reason]);
    }
    const { record } = taken;
    if (!input.code) {
      const url = new URL(record.callback);
      url.searchParams.set(AUTH_DENIED_PARAM, AUTH_DENIED_VALUE);
      return { kind: 'denied', redirectTo: url.toString() };
    }

    const grant = await exchange(input.code);
    const scope: OAuthScope =
      grant.scopes.includes('snsapi_userinfo') && !grant.isSnapshotUser ? 'snsapi_userinfo' : 'snsapi_base';
    let profile = { nickname: '', avatarUrl: '', unionId: grant.unionId };
    if (scope === 'snsapi_userinfo') {
      const fetched = await oauth.fetchProfile(grant.accessToken, grant.openId);
      profile = {
        nickname: fetched.nickname,
        avatarUrl: fetched.avatarUrl,
        unionId: fetched.unionId ?? grant.unionId,
      };
    }
    const nowMs = now();
    const user = await users.upsert(
      { openId: grant.openId, scope, ...profile },
      new Date(nowMs).toISOString(),
    );
    await tokens.save(grant.openId, {
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      scopes: grant.scopes,
      accessTokenExpiresAt: nowMs + grant.expiresInSeconds * 1000,
    });
    logger.info({ scope }, 'user logged in');
    return {
      kind: 'logged_in',
      redirectTo: record.callback,
      openId: grant.openId,
      sessionVersion: user.sessionVersion,
    };
  }

  return { start, complete };
}

export type LoginService = ReturnType<typeof createLoginService>;
