import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { LockService } from '../deps';
import { createSingleFlight } from '../shared/single-flight';
import { guardCache } from '../shared/guard-cache';
import { LockTimeoutError } from '../shared/lock-timeout-error';
import { WechatBadResponseError, WechatRefusedError, WechatUnavailableError } from '../shared/wechat-error';
import { createWechatJsonClient, type ObserveWechatCall, type WechatJsonClient } from './wechat-http';

/** What the cache holds for the global access_token and the jsapi_ticket. */
export interface CachedCredential {
  value: string;
  /** When WeChat stops accepting it (ms since the epoch, by deps.now). */
  expiresAt: number;
}

/** errcodes that mean "this access_token is not (or no longer) valid". */
const INVALID_TOKEN_ERRCODES = new Set([40001, 40014, 42001]);

export const ACCESS_TOKEN_ENDPOINT = '/cgi-bin/stable_token';
export const CLASSIC_TOKEN_ENDPOINT = '/cgi-bin/token';
export const TICKET_ENDPOINT = '/cgi-bin/ticket/getticket';

/** Cache keys (inside the keyv namespace), per app. Exported so tests can read or clear them. */
export function credentialCacheKeys(appId: string) {
  return {
    accessToken: `wechat:${appId}:access_token`,
    jsapiTicket: `wechat:${appId}:jsapi_ticket`,
  };
}

export interface TokenManagerOptions {
  appId: string;
  appSecret: string;
  client: WechatJsonClient;
  cache: Keyv;
  locks: LockService;
  now: () => number;
  logger: Logger;
  /** Refresh this long before WeChat's expiry; default 5 minutes. */
  refreshAheadMs?: number;
  /**
   * `stable` (default): `POST /cgi-bin/stable_token`, which returns the same token while it is valid and is isolated
   * from other tools that call `/cgi-bin/token` with the same AppSecret. `classic`: `GET /cgi-bin/token`, where every
   * fetch supersedes the previous token (it keeps working for 5 minutes).
   */
  tokenEndpoint?: 'stable' | 'classic';
  /** Told of every fetch of a credential from WeChat (metrics), with whether it succeeded. */
  observeRefresh?: (kind: 'access_token' | 'jsapi_ticket', outcome: 'ok' | 'failed') => void;
  /** Upper bound of one fetch including its retries; the cross-instance lock lives this long. */
  lockTtlMs: number;
  /**
   * After a fetch gave up (WeChat unavailable), the fleet answers 503 at once for this long instead of every
   * instance and every new request retrying again. Default 5 s; 0 disables.
   */
  failureCooldownMs?: number;
  /**
   * Keep a process-local copy of each fresh credential in front of `cache`, so the hot path (every JS-SDK request)
   * skips the keyv read and its (de)serialisation. Only sound when `cache` is this process's own store: every
   * change goes through this Keyv instance, and any set, delete or clear of it drops the local copies. With a
   * shared store (Redis) another instance may replace or drop a credential, so leave it off there.
   */
  localTier?: boolean;
}

export interface TokenManager {
  /** The global access_token, fetched at most once across the fleet while it is fresh. */
  getAccessToken(): Promise<string>;
  /** The jsapi_ticket for JS-SDK signatures; refreshes the token once (and retries once) on 40001/42001. */
  getJsapiTicket(): Promise<string>;
  /**
   * `failed` was rejected by WeChat: fetch a new token unless the cache already holds a different one (another
   * request or instance refreshed it first). Compare-and-set: a stale token never overwrites a newer one.
   */
  replaceAccessToken(failed: string): Promise<string>;
}

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
}
interface TicketAnswer {
  ticket?: unknown;
  expires_in?: unknown;
}

function isCredential(value: unknown): value is CachedCredential {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CachedCredential).value === 'string' &&
    typeof (value as CachedCredential).expiresAt === 'number'
  );
}

/**
 * The global access_token and jsapi_ticket: cached in keyv (Redis for a fleet), refreshed 5 minutes before expiry,
 * fetched by one caller at a time — a single-flight inside the process and a named lock across processes, with the
 * cache checked again once the lock is held. If a refresh fails while the old credential is still valid, the old
 * one is used (and the next request tries again).
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { cache, locks, now, logger, client } = options;
  const refreshAheadMs = options.refreshAheadMs ?? 5 * 60 * 1000;
  const keys = credentialCacheKeys(options.appId);
  const singleFlight = createSingleFlight();
  const stable = (options.tokenEndpoint ?? 'stable') === 'stable';
  const failureCooldownMs = options.failureCooldownMs ?? 5000;

  async function read(key: string): Promise<CachedCredential | undefined> {
    const value: unknown = await guardCache(cache.get(key));
    return isCredential(value) ? value : undefined;
  }
  /** The value if it is not due for a refresh yet. */
  const freshValue = (c: CachedCredential | undefined): string | undefined =>
    c !== undefined && now() < c.expiresAt - refreshAheadMs ? c.value : undefined;

  // The process-local tier (see `localTier`): key → a credential read from `cache`, served while fresh by its own
  // expiresAt (minus the refresh margin); dropped whenever anything in `cache` is set, deleted or cleared.
  const local = new Map<string, CachedCredential>();
  // Bumped on every drop, so a read that was under way while the cache changed is not remembered.
  let generation = 0;
  if (options.localTier) {
    const drop = () => {
      local.clear();
      generation += 1;
    };
    cache.hooks.addHandler('preSet', drop);
    cache.hooks.addHandler('preDelete', drop);
    cache.on('clear', drop);
  }
  /** A fresh credential for `key`: the local copy if fresh, else the cache (remembered locally when fresh). */
  async function readFresh(key: string): Promise<string | undefined> {
    const kept = freshValue(local.get(key));
    if (kept !== undefined) return kept;
    const before = generation;
    const cached = await read(key);
    const fresh = freshValue(cached);
    if (options.localTier && cached !== undefined && fresh !== undefined && generation === before) {
      local.set(key, cached);
    }
    return fresh;
  }
  /** The value if WeChat still accepts it (possibly inside the refresh-ahead window). */
  const validValue = (c: CachedCredential | undefined): string | undefined =>
    c !== undefined && now() < c.expiresAt ? c.value : undefined;

  async function store(key: string, value: string, expiresInSeconds: number): Promise<CachedCredential> {
    const ttlMs = Math.max(1, expiresInSeconds) * 1000;
    const credential = { value, expiresAt: now() + ttlMs };
    try {
      await cache.set(key, credential, ttlMs);
    } catch (err) {
      // Serve the fresh credential anyway; the next request will find the cache unavailable and say so.
      logger.warn({ err }, 'could not cache a WeChat credential');
    }
    return credential;
  }

  async function locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await locks.withLock(`${options.appId}:${name}`, options.lockTtlMs, fn);
    } catch (err) {
      if (err instanceof LockTimeoutError) {
        throw new WechatUnavailableError(name, 'busy', 0, 'waited too long for another instance');
      }
      // A LockUnavailableError goes on as it is: a SharedStateUnavailableError, 503 not_ready at the edge.
      throw err;
    }
  }

  /**
   * Run a fetch unless the same fetch gave up moments ago anywhere in the fleet (a marker in the shared cache);
   * mark it when it gives up. Keeps a WeChat outage from multiplying into retries × instances × requests.
   */
  async function withCooldown<T>(name: string, fetch: () => Promise<T>): Promise<T> {
    const key = `wechat:${options.appId}:${name}:unavailable_until`;
    const until: unknown = await guardCache(cache.get(key));
    if (typeof until === 'number' && now() < until) {
      throw new WechatUnavailableError(name, 'busy', 0, 'gave up moments ago; not retrying yet');
    }
    try {
      return await fetch();
    } catch (err) {
      if (err instanceof WechatUnavailableError && failureCooldownMs > 0) {
        await cache.set(key, now() + failureCooldownMs, failureCooldownMs).catch(() => undefined);
      }
      throw err;
    }
  }

  /** A fetch from WeChat, counted (`observeRefresh`) as it ends. */
  async function counted<T>(kind: 'access_token' | 'jsapi_ticket', fetch: () => Promise<T>): Promise<T> {
    try {
      const value = await fetch();
      options.observeRefresh?.(kind, 'ok');
      return value;
    } catch (err) {
      options.observeRefresh?.(kind, 'failed');
      throw err;
    }
  }

  function fetchAccessToken(): Promise<CachedCredential> {
    return counted('access_token', fetchAccessTokenOnce);
  }

  async function fetchAccessTokenOnce(): Promise<CachedCredential> {
    const answer = stable
      ? await client.post<TokenAnswer>(
          ACCESS_TOKEN_ENDPOINT,
          {},
          {
            grant_type: 'client_credential',
            appid: options.appId,
            secret: options.appSecret,
            force_refresh: false,
          },
        )
      : await client.get<TokenAnswer>(CLASSIC_TOKEN_ENDPOINT, {
          grant_type: 'client_credential',
          appid: options.appId,
          secret: options.appSecret,
        });
    const endpoint = stable ? ACCESS_TOKEN_ENDPOINT : CLASSIC_TOKEN_ENDPOINT;
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new WechatBadResponseError(endpoint, 'no access_token in the answer');
    }
    const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
    logger.info({ endpoint, expiresIn }, 'fetched a global access_token');
    return store(keys.accessToken, answer.access_token, expiresIn);
  }

  /** Refresh under the lock; `shouldFetch` sees what the cache holds once the lock is ours. */
  async function refreshToken(
    keep: (cached: CachedCredential | undefined) => string | undefined,
  ): Promise<string> {
    return locked('access_token', async () => {
      const cached = await read(keys.accessToken);
      const kept = keep(cached);
      if (kept !== undefined) return kept;
      try {
        return (await withCooldown('access_token', fetchAccessToken)).value;
      } catch (err) {
        const stillValid = validValue(cached);
        if (stillValid !== undefined && err instanceof WechatUnavailableError) {
          logger.warn({ reason: err.reason }, 'access_token refresh failed; the current one is still valid');
          return stillValid;
        }
        throw err;
      }
    });
  }

  async function getAccessToken(): Promise<string> {
    const fresh = await readFresh(keys.accessToken);
    if (fresh !== undefined) return fresh;
    return singleFlight('access_token', () => refreshToken(freshValue));
  }

  function replaceAccessToken(failed: string): Promise<string> {
    return singleFlight(`replace:${failed}`, () =>
      refreshToken((current) => {
        const fresh = freshValue(current);
        return fresh === failed ? undefined : fresh;
      }),
    );
  }

  async function fetchTicket(accessToken: string): Promise<TicketAnswer> {
    return withCooldown('jsapi_ticket', () =>
      counted('jsapi_ticket', () =>
        client.get<TicketAnswer>(TICKET_ENDPOINT, { access_token: accessToken, type: 'jsapi' }),
      ),
    );
  }

  async function refreshTicket(): Promise<string> {
    return locked('jsapi_ticket', async () => {
      const cached = await read(keys.jsapiTicket);
      const fresh = freshValue(cached);
      if (fresh !== undefined) return fresh;
      try {
        let token = await getAccessToken();
        let answer: TicketAnswer;
        try {
          answer = await fetchTicket(token);
        } catch (err) {
          if (!(err instanceof WechatRefusedError) || !INVALID_TOKEN_ERRCODES.has(err.errcode ?? 0))
            throw err;
          // The token is not valid any more (superseded, expired early, or revoked): refresh it once, retry once.
          logger.warn(
            { errcode: err.errcode },
            'jsapi_ticket fetch rejected the access_token; refreshing it',
          );
          token = await replaceAccessToken(token);
          answer = await fetchTicket(token);
        }
        if (typeof answer.ticket !== 'string' || answer.ticket === '') {
          throw new WechatBadResponseError(TICKET_ENDPOINT, 'no ticket in the answer');
        }
        const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
        logger.info({ expiresIn }, 'fetched a jsapi_ticket');
        return (await store(keys.jsapiTicket, answer.ticket, expiresIn)).value;
      } catch (err) {
        const stillValid = validValue(cached);
        if (stillValid !== undefined && err instanceof WechatUnavailableError) {
          logger.warn({ reason: err.reason }, 'jsapi_ticket refresh failed; the current one is still valid');
          return stillValid;
        }
        throw err;
      }
    });
  }

  async function getJsapiTicket(): Promise<string> {
    const fresh = await readFresh(keys.jsapiTicket);
    if (fresh !== undefined) return fresh;
    return singleFlight('jsapi_ticket', refreshTicket);
  }

  return { getAccessToken, getJsapiTicket, replaceAccessToken };
}

/** The app's token manager, wired from its deps (one per app instance: the single-flight is per process). */
export function createTokenManagerFromDeps(deps: {
  config: {
    wechat: { appId: string; appSecret: string; apiBaseUrl: string; timeoutMs: number };
    redisUrl: string | undefined;
  };
  cache: Keyv;
  locks: LockService;
  now: () => number;
  logger: Logger;
  /** Told of every token/ticket call (metrics); a refresh is one call to the token or ticket endpoint. */
  observeWechatCall?: ObserveWechatCall;
  /** Told of every credential fetch (metrics). */
  observeRefresh?: TokenManagerOptions['observeRefresh'];
}): TokenManager {
  const retries = 2;
  return createTokenManager({
    appId: deps.config.wechat.appId,
    appSecret: deps.config.wechat.appSecret,
    client: createWechatJsonClient({
      baseUrl: deps.config.wechat.apiBaseUrl,
      timeoutMs: deps.config.wechat.timeoutMs,
      retries,
      logger: deps.logger,
      ...(deps.observeWechatCall ? { observe: deps.observeWechatCall } : {}),
    }),
    cache: deps.cache,
    locks: deps.locks,
    now: deps.now,
    logger: deps.logger,
    ...(deps.observeRefresh ? { observeRefresh: deps.observeRefresh } : {}),
    // A ticket fetch may include a token fetch and one token replacement, each with its retries.
    lockTtlMs: 3 * (retries + 1) * deps.config.wechat.timeoutMs + 2000,
    // Without Redis the cache is this process's own: a local copy in front of it is exact (see `localTier`).
    localTier: deps.config.redisUrl === undefined,
  });
}
