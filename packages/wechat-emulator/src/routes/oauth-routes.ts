// Web OAuth as open.weixin.qq.com and api.weixin.qq.com/sns/* do it: the authorize page (silent for
// snsapi_base, a consent sheet for snsapi_userinfo), single-use 5-minute codes bound to the app, per-user
// access tokens (2 h) and refresh tokens (30 days), /sns/userinfo and /sns/auth with WeChat's errcodes.
import { Router } from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { appendQuery, hostMatchesExactly, queryParam } from '../http/query';
import { parseForm, readRawBody } from '../http/read-body';
import { wechatErrorFor } from '../http/wechat-error';
import { buildConsentPage } from '../pages/consent-page';
import { buildErrorPage } from '../pages/error-page';
import type { AuthorizeError } from '../pages/error-page';
import { openidFor, randomToken } from '../state';
import type { EmulatorState, EmulatorUser, OAuthScope, SnsToken } from '../state';

export const CODE_TTL_MS = 5 * 60 * 1000;
export const SNS_TOKEN_TTL_SECONDS = 7200;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
const CONSENT_TTL_MS = 10 * 60 * 1000;
const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;

function avatarUrlFor(ctx: ParameterizedContext, user: EmulatorUser): string {
  return user.avatarUrl !== ''
    ? user.avatarUrl
    : `${ctx.protocol}://${ctx.host}/__emulator/avatars/${user.userId}/132`;
}

function sendAuthorizeError(ctx: ParameterizedContext, error: AuthorizeError, slug: string): void {
  // Real WeChat answers these with a 200 HTML page; the header lets tests tell which error it was.
  ctx.status = 200;
  ctx.set('X-Emulator-Error', error.errcode === null ? slug : String(error.errcode));
  ctx.type = 'html';
  ctx.body = buildErrorPage(error);
}

function issueCode(state: EmulatorState, appId: string, userId: string, scope: OAuthScope): string {
  const code = randomToken(32);
  state.codes.set(code, { code, appId, userId, scope, expiresAt: state.now() + CODE_TTL_MS, used: false });
  return code;
}

export function createOAuthRoutes(state: EmulatorState): Router {
  const router = new Router();

  /** The user token and openid of /sns/userinfo and /sns/auth; answers the errcode itself and yields null. */
  function checkSnsToken(ctx: ParameterizedContext): SnsToken | null {
    const accessToken = queryParam(ctx, 'access_token');
    const openid = queryParam(ctx, 'openid');
    const token = accessToken ? state.snsTokens.get(accessToken) : undefined;
    let errcode = 0;
    if (!accessToken) errcode = 41001;
    else if (!openid) errcode = 41009;
    else if (!token) errcode = 40014;
    else if (state.now() >= token.expiresAt) errcode = 42001;
    else if (token.openid !== openid) errcode = 40003;
    if (errcode !== 0 || !token) {
      ctx.body = wechatErrorFor(errcode);
      return null;
    }
    return token;
  }

  router.get('/connect/oauth2/authorize', (ctx) => {
    const appId = queryParam(ctx, 'appid');
    const redirectUri = queryParam(ctx, 'redirect_uri');
    const responseType = queryParam(ctx, 'response_type');
    const scope = queryParam(ctx, 'scope');
    const oauthState = queryParam(ctx, 'state') ?? '';
    if (!appId) return sendAuthorizeError(ctx, { errcode: 10012, message: 'appid 参数不能为空' }, 'appid');
    if (!redirectUri) {
      return sendAuthorizeError(
        ctx,
        { errcode: 10011, message: 'redirect_uri 参数不能为空' },
        'redirect_uri',
      );
    }
    if (!scope) return sendAuthorizeError(ctx, { errcode: 10010, message: 'scope 参数不能为空' }, 'scope');
    const app = state.apps.get(appId);
    if (!app) {
      return sendAuthorizeError(
        ctx,
        { errcode: null, message: 'appid 参数错误 (invalid appid)' },
        'invalid_appid',
      );
    }
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      return sendAuthorizeError(ctx, { errcode: 10003, message: 'redirect_uri 参数错误' }, 'redirect_uri');
    }
    if (
      (target.protocol !== 'http:' && target.protocol !== 'https:') ||
      !hostMatchesExactly(target, app.oauthDomains)
    ) {
      return sendAuthorizeError(
        ctx,
        { errcode: 10003, message: 'redirect_uri域名与后台配置不一致' },
        'domain',
      );
    }
    if (responseType !== 'code') {
      return sendAuthorizeError(ctx, { errcode: null, message: 'response_type 参数错误' }, 'response_type');
    }
    if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo') {
      return sendAuthorizeError(ctx, { errcode: 10005, message: '此公众号并没有这些scope的权限' }, 'scope');
    }
    if (!STATE_PATTERN.test(oauthState)) {
      return sendAuthorizeError(ctx, { errcode: 10013, message: 'state 参数错误' }, 'state');
    }
    const defaultUser = state.users.get(state.defaultUserId);
    if (scope === 'snsapi_base' || state.autoDecision !== null) {
      if (scope === 'snsapi_userinfo' && state.autoDecision === 'deny') {
        ctx.redirect(appendQuery(redirectUri, [['state', oauthState]]));
        return;
      }
      if (!defaultUser) {
        return sendAuthorizeError(ctx, { errcode: null, message: '默认测试用户不存在' }, 'no_user');
      }
      const code = issueCode(state, app.appId, defaultUser.userId, scope);
      ctx.redirect(
        appendQuery(redirectUri, [
          ['code', code],
          ['state', oauthState],
        ]),
      );
      return;
    }
    const requestId = randomToken(24);
    state.consents.set(requestId, {
      id: requestId,
      appId: app.appId,
      redirectUri,
      scope,
      state: oauthState,
      createdAt: state.now(),
    });
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = buildConsentPage({
      requestId,
      appName: app.name,
      users: [...state.users.values()].map((user) => ({
        userId: user.userId,
        nickname: user.nickname,
        avatarUrl: avatarUrlFor(ctx, user),
      })),
      selectedUserId: defaultUser?.userId ?? '',
    });
  });

  router.post('/connect/oauth2/consent', async (ctx) => {
    const form = parseForm(await readRawBody(ctx.req, 16 * 1024));
    const requestId = form.request ?? '';
    const pending = state.consents.get(requestId);
    if (!pending || state.now() - pending.createdAt > CONSENT_TTL_MS) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = buildErrorPage({ errcode: null, message: '授权请求已失效，请重新进入页面' });
      return;
    }
    if (form.action !== 'allow' && form.action !== 'deny') {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = buildErrorPage({
        errcode: null,
        message: `action 参数错误: ${form.action ?? ''}`,
      });
      return;
    }
    if (form.action === 'deny') {
      state.consents.delete(requestId);
      ctx.redirect(appendQuery(pending.redirectUri, [['state', pending.state]]));
      return;
    }
    const user = state.users.get(form.user ?? '');
    if (!user) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = buildErrorPage({ errcode: null, message: '请选择一个测试用户' });
      return;
    }
    state.consents.delete(requestId);
    const code = issueCode(state, pending.appId, user.userId, pending.scope);
    ctx.redirect(
      appendQuery(pending.redirectUri, [
        ['code', code],
        ['state', pending.state],
      ]),
    );
  });

  router.get('/sns/oauth2/access_token', (ctx) => {
    const appId = queryParam(ctx, 'appid');
    const secret = queryParam(ctx, 'secret');
    const codeValue = queryParam(ctx, 'code');
    const grantType = queryParam(ctx, 'grant_type');
    if (!appId) return void (ctx.body = wechatErrorFor(41002));
    if (!secret) return void (ctx.body = wechatErrorFor(41004));
    if (!codeValue) return void (ctx.body = wechatErrorFor(41008));
    if (grantType !== 'authorization_code') return void (ctx.body = wechatErrorFor(40002));
    const app = state.apps.get(appId);
    if (!app) return void (ctx.body = wechatErrorFor(40013));
    if (app.appSecret !== secret) return void (ctx.body = wechatErrorFor(40125));
    const code = state.codes.get(codeValue);
    if (!code || code.appId !== appId) return void (ctx.body = wechatErrorFor(40029));
    if (code.used) return void (ctx.body = wechatErrorFor(40163));
    if (state.now() >= code.expiresAt) return void (ctx.body = wechatErrorFor(42003));
    code.used = true;
    const openid = openidFor(appId, code.userId);
    const accessToken = randomToken(88);
    const refreshToken = randomToken(88);
    state.snsTokens.set(accessToken, {
      accessToken,
      appId,
      userId: code.userId,
      openid,
      scope: code.scope,
      expiresAt: state.now() + SNS_TOKEN_TTL_SECONDS * 1000,
    });
    state.snsRefreshTokens.set(refreshToken, {
      refreshToken,
      appId,
      userId: code.userId,
      openid,
      scope: code.scope,
      expiresAt: state.now() + REFRESH_TOKEN_TTL_MS,
    });
    ctx.body = {
      access_token: accessToken,
      expires_in: SNS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      openid,
      scope: code.scope,
    };
  });

  router.get('/sns/oauth2/refresh_token', (ctx) => {
    const appId = queryParam(ctx, 'appid');
    const grantType = queryParam(ctx, 'grant_type');
    const refreshTokenValue = queryParam(ctx, 'refresh_token');
    if (!appId) return void (ctx.body = wechatErrorFor(41002));
    if (!refreshTokenValue) return void (ctx.body = wechatErrorFor(41003));
    if (grantType !== 'refresh_token') return void (ctx.body = wechatErrorFor(40002));
    if (!state.apps.has(appId)) return void (ctx.body = wechatErrorFor(40013));
    const refresh = state.snsRefreshTokens.get(refreshTokenValue);
    if (!refresh || refresh.appId !== appId) return void (ctx.body = wechatErrorFor(40030));
    if (state.now() >= refresh.expiresAt) return void (ctx.body = wechatErrorFor(42002));
    const accessToken = randomToken(88);
    state.snsTokens.set(accessToken, {
      accessToken,
      appId,
      userId: refresh.userId,
      openid: refresh.openid,
      scope: refresh.scope,
      expiresAt: state.now() + SNS_TOKEN_TTL_SECONDS * 1000,
    });
    ctx.body = {
      access_token: accessToken,
      expires_in: SNS_TOKEN_TTL_SECONDS,
      refresh_token: refresh.refreshToken,
      openid: refresh.openid,
      scope: refresh.scope,
    };
  });

  router.get('/sns/userinfo', (ctx) => {
    const token = checkSnsToken(ctx);
    if (!token) return;
    if (token.scope !== 'snsapi_userinfo') return void (ctx.body = wechatErrorFor(48001));
    const user = state.users.get(token.userId);
    if (!user) return void (ctx.body = wechatErrorFor(40003));
    // Since 2021-10-24 WeChat no longer returns gender or region: sex 0 and empty strings.
    ctx.body = {
      openid: token.openid,
      nickname: user.nickname,
      sex: 0,
      language: '',
      city: '',
      province: '',
      country: '',
      headimgurl: avatarUrlFor(ctx, user),
      privilege: [],
    };
  });

  router.get('/sns/auth', (ctx) => {
    if (!checkSnsToken(ctx)) return;
    ctx.body = { errcode: 0, errmsg: 'ok' };
  });

  return router;
}
