import { WechatBadResponseError } from '../shared/wechat-error';
import type { WechatJsonClient } from './wechat-http';

export const OAUTH_TOKEN_ENDPOINT = '/sns/oauth2/access_token';
export const USERINFO_ENDPOINT = '/sns/userinfo';

/** errcodes of `/sns/oauth2/access_token` that mean "this code will never work": invalid, used, expired. */
export const REJECTED_CODE_ERRCODES: ReadonlySet<number> = new Set([40029, 40163, 42003]);

/** The answer of the code exchange, in domain names. The token is per user (not the global access_token). */
export interface OAuthGrant {
  openId: string;
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  /** What the user granted; WeChat's `scope` is comma-separated. */
  scopes: string[];
  unionId: string | undefined;
  /** Snapshot-mode page (virtual account): no real identity. */
  isSnapshotUser: boolean;
}

export interface WechatProfile {
  openId: string;
  nickname: string;
  avatarUrl: string;
  unionId: string | undefined;
}

export interface OAuthClient {
  exchangeCode(code: string): Promise<OAuthGrant>;
  fetchProfile(accessToken: string, openId: string): Promise<WechatProfile>;
}

interface AccessTokenWire {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  openid?: unknown;
  scope?: unknown;
  unionid?: unknown;
  is_snapshotuser?: unknown;
}

interface UserInfoWire {
  openid?: unknown;
  nickname?: unknown;
  headimgurl?: unknown;
  unionid?: unknown;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `/sns/oauth2/access_token` and `/sns/userinfo` (web OAuth). WeChat's snake_case stays inside this file. */
export function createOAuthClient(options: {
  appId: string;
  appSecret: string;
  client: WechatJsonClient;
}): OAuthClient {
  const { client } = options;
  return {
    async exchangeCode(code) {
      const wire = await client.get<AccessTokenWire>(OAUTH_TOKEN_ENDPOINT, {
        appid: options.appId,
        secret: options.appSecret,
        code,
        grant_type: 'authorization_code',
      });
      const openId = str(wire.openid);
      const accessToken = str(wire.access_token);
      if (!openId || !accessToken) {
        throw new WechatBadResponseError(OAUTH_TOKEN_ENDPOINT, 'no openid/access_token in the answer');
      }
      return {
        openId,
        accessToken,
        refreshToken: str(wire.refresh_token) ?? '',
        expiresInSeconds: typeof wire.expires_in === 'number' ? wire.expires_in : 7200,
        scopes: (str(wire.scope) ?? '')
          .split(',')
          .map((scope) => scope.trim())
          .filter(Boolean),
        unionId: str(wire.unionid),
        isSnapshotUser: wire.is_snapshotuser === 1,
      };
    },

    async fetchProfile(accessToken, openId) {
      const wire = await client.get<UserInfoWire>(USERINFO_ENDPOINT, {
        access_token: accessToken,
        openid: openId,
        lang: 'zh_CN',
      });
      if (str(wire.openid) !== openId) {
        throw new WechatBadResponseError(USERINFO_ENDPOINT, 'the answer is for another openid');
      }
      return {
        openId,
        nickname: typeof wire.nickname === 'string' ? wire.nickname : '',
        avatarUrl: typeof wire.headimgurl === 'string' ? wire.headimgurl : '',
        unionId: str(wire.unionid),
      };
    },
  };
}
