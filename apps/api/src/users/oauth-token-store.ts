import type Keyv from 'keyv';
import { guardCache } from '../shared/guard-cache';

/** WeChat's refresh_token lives 30 days; after that the user must authorize again. */
export const USER_OAUTH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;

export interface UserOAuthTokens {
  accessToken: string;
  refreshToken: string;
  scopes: string[];
  /** ms since the epoch when the access token expires (the refresh token lives longer). */
  accessTokenExpiresAt: number;
}

/**
 * Per-user OAuth tokens, one key per openid (the article kept every user's token under one global key, so users
 * overwrote each other). Kept for calls made on the user's behalf later (`/sns/userinfo` refreshes).
 */
export function createUserOAuthTokenStore(cache: Keyv) {
  const key = (openId: string) => `oauth:user:${openId}`;
  return {
    async save(openId: string, tokens: UserOAuthTokens): Promise<void> {
      await guardCache(cache.set(key(openId), tokens, USER_OAUTH_TOKEN_TTL_MS));
    },
    async load(openId: string): Promise<UserOAuthTokens | undefined> {
      return (await guardCache(cache.get<UserOAuthTokens>(key(openId)))) ?? undefined;
    },
    async remove(openId: string): Promise<void> {
      await guardCache(cache.delete(key(openId)));
    },
  };
}

export type UserOAuthTokenStore = ReturnType<typeof createUserOAuthTokenStore>;
