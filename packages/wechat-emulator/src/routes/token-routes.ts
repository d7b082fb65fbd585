// The global access_token (/cgi-bin/token and the isolated /cgi-bin/stable_token) and the jsapi_ticket.
// Re-fetching /cgi-bin/token supersedes the previous token: it keeps working for 5 minutes, then 40001;
// any token past its 7200 s lifetime answers 42001.
import { Router } from '@koa/router';
import { queryParam } from '../http/query';
import { parseJsonObject, readRawBody } from '../http/read-body';
import { ipNotWhitelisted, wechatErrorFor } from '../http/wechat-error';
import type { WechatErrorBody } from '../http/wechat-error';
import { countersFor, randomToken } from '../state';
import type { EmulatorApp, EmulatorState, GlobalToken, GlobalTokenKind } from '../state';

const GLOBAL_TOKEN_TTL_SECONDS = 7200;
const TOKEN_OVERLAP_MS = 5 * 60 * 1000;
const TICKET_TTL_SECONDS = 7200;
const STABLE_RENEW_BEFORE_MS = 5 * 60 * 1000;
const STABLE_FORCE_MIN_GAP_MS = 30 * 1000;
const STABLE_FORCE_DAILY_LIMIT = 20;
const DAY_MS = 24 * 3600 * 1000;

/** Resolves a global access_token to its app, or the errcode WeChat would answer. */
function checkGlobalAccessToken(
  state: EmulatorState,
  accessToken: string | undefined,
): { app: EmulatorApp } | { error: WechatErrorBody } {
  if (!accessToken) return { error: wechatErrorFor(41001) };
  const token = state.globalTokens.get(accessToken);
  if (!token) return { error: wechatErrorFor(40001) };
  const now = state.now();
  if (token.invalidAt !== undefined && now >= token.invalidAt) return { error: wechatErrorFor(40001) };
  if (now >= token.expiresAt) return { error: wechatErrorFor(42001) };
  const app = state.apps.get(token.appId);
  if (!app) return { error: wechatErrorFor(40001) };
  return { app };
}

function issueGlobalToken(state: EmulatorState, appId: string, kind: GlobalTokenKind): GlobalToken {
  const now = state.now();
  const token: GlobalToken = {
    // Real tokens are ~150 chars; WeChat asks callers to store ≥ 512.
    accessToken: `${kind === 'stable' ? 'S' : 'T'}${randomToken(149)}`,
    appId,
    kind,
    issuedAt: now,
    expiresAt: now + GLOBAL_TOKEN_TTL_SECONDS * 1000,
  };
  state.globalTokens.set(token.accessToken, token);
  return token;
}

function liveTokens(state: EmulatorState, appId: string, kind: GlobalTokenKind): GlobalToken[] {
  const now = state.now();
  return [...state.globalTokens.values()].filter(
    (token) =>
      token.appId === appId &&
      token.kind === kind &&
      now < token.expiresAt &&
      (token.invalidAt === undefined || now < token.invalidAt),
  );
}

/** `::ffff:127.0.0.1` (an IPv4 caller on a dual-stack socket) → `127.0.0.1`. */
function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

function credentialError(
  state: EmulatorState,
  grantType: unknown,
  appId: unknown,
  secret: unknown,
  callerIp: string,
): WechatErrorBody | EmulatorApp {
  if (typeof appId !== 'string' || appId === '') return wechatErrorFor(41002);
  if (typeof secret !== 'string' || secret === '') return wechatErrorFor(41004);
  if (grantType !== 'client_credential') return wechatErrorFor(40002);
  const app = state.apps.get(appId);
  if (!app) return wechatErrorFor(40013);
  if (app.appSecret !== secret) return wechatErrorFor(40125);
  if (app.ipWhitelist && !app.ipWhitelist.includes(plainIp(callerIp))) return ipNotWhitelisted(callerIp);
  return app;
}

export function createTokenRoutes(state: EmulatorState): Router {
  const router = new Router();

  router.get('/cgi-bin/token', (ctx) => {
    const checked = credentialError(
      state,
      queryParam(ctx, 'grant_type'),
      queryParam(ctx, 'appid'),
      queryParam(ctx, 'secret'),
      ctx.ip,
    );
    if ('errcode' in checked) return void (ctx.body = checked);
    const now = state.now();
    for (const previous of liveTokens(state, checked.appId, 'token')) {
      if (previous.invalidAt === undefined) previous.invalidAt = now + TOKEN_OVERLAP_MS;
    }
    const token = issueGlobalToken(state, checked.appId, 'token');
    countersFor(state, checked.appId).token += 1;
    ctx.body = { access_token: token.accessToken, expires_in: GLOBAL_TOKEN_TTL_SECONDS };
  });

  router.post('/cgi-bin/stable_token', async (ctx) => {
    const body = parseJsonObject(await readRawBody(ctx.req, 16 * 1024));
    if (!body) return void (ctx.body = wechatErrorFor(40097));
    const checked = credentialError(state, body.grant_type, body.appid, body.secret, ctx.ip);
    if ('errcode' in checked) return void (ctx.body = checked);
    if (body.force_refresh !== undefined && typeof body.force_refresh !== 'boolean') {
      return void (ctx.body = wechatErrorFor(40097));
    }
    const now = state.now();
    const live = liveTokens(state, checked.appId, 'stable').sort((a, b) => b.issuedAt - a.issuedAt);
    let current = live[0];
    if (body.force_refresh === true) {
      const history = (state.stableForceRefreshes.get(checked.appId) ?? []).filter((at) => now - at < DAY_MS);
      const last = history[history.length - 1];
      // Force refreshes closer than 30 s apart do not refresh: the caller gets the current token.
      if (!(current && last !== undefined && now - last < STABLE_FORCE_MIN_GAP_MS)) {
        if (history.length >= STABLE_FORCE_DAILY_LIMIT) return void (ctx.body = wechatErrorFor(45009));
        for (const token of live) token.invalidAt = now;
        current = issueGlobalToken(state, checked.appId, 'stable');
        history.push(now);
      }
      state.stableForceRefreshes.set(checked.appId, history);
    } else if (!current || current.expiresAt - now <= STABLE_RENEW_BEFORE_MS) {
      // Normal mode renews 5 minutes before expiry; the old token stays valid until its own expiry.
      current = issueGlobalToken(state, checked.appId, 'stable');
    }
    countersFor(state, checked.appId).stableToken += 1;
    ctx.body = {
      access_token: current.accessToken,
      expires_in: Math.max(1, Math.floor((current.expiresAt - now) / 1000)),
    };
  });

  router.get('/cgi-bin/ticket/getticket', (ctx) => {
    const checked = checkGlobalAccessToken(state, queryParam(ctx, 'access_token'));
    if ('error' in checked) return void (ctx.body = checked.error);
    if (queryParam(ctx, 'type') !== 'jsapi') return void (ctx.body = wechatErrorFor(40097));
    const now = state.now();
    let ticket = state.tickets.get(checked.app.appId);
    // One ticket per app while it is valid; a fetch after expiry issues a new one.
    if (!ticket || now >= ticket.expiresAt) {
      ticket = {
        ticket: randomToken(86),
        appId: checked.app.appId,
        issuedAt: now,
        expiresAt: now + TICKET_TTL_SECONDS * 1000,
      };
      state.tickets.set(checked.app.appId, ticket);
    }
    countersFor(state, checked.app.appId).ticket += 1;
    ctx.body = {
      errcode: 0,
      errmsg: 'ok',
      ticket: ticket.ticket,
      expires_in: Math.max(1, Math.floor((ticket.expiresAt - now) / 1000)),
    };
  });

  return router;
}
