import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OAuthScope } from '@wxh5/contracts';
import { createNonce } from '@wxh5/wechat-core';
import type Keyv from 'keyv';
import { ApiError } from '../shared/api-error';
import { guardCache } from '../shared/guard-cache';

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;
/** WeChat allows ≤ 128 chars of [A-Za-z0-9]; 32 base62 chars are ~190 bits. */
export const OAUTH_STATE_LENGTH = 32;

/** What one login attempt remembers between the redirect and WeChat's return. */
export interface OAuthStateRecord {
  callback: string;
  scope: OAuthScope;
  /** sha256 (hex) of the nonce in this browser's signed `wx_oauth` cookie. */
  browserNonceHash: string;
  /** ms since the epoch (deps.now); checked as well as the cache TTL so a moved clock expires it. */
  expiresAt: number;
}

export type TakeStateResult =
  | { ok: true; record: OAuthStateRecord }
  | { ok: false; reason: 'unknown' | 'expired' | 'other_browser' | 'replayed' };

export interface OAuthStateStore {
  /** A fresh random browser nonce for the `wx_oauth` cookie. */
  createBrowserNonce(): string;
  create(input: { callback: string; scope: OAuthScope; browserNonce: string }): Promise<string>;
  /**
   * Single use: the state is deleted by the first caller that presents the right browser nonce; every later
   * caller (a replay, or a concurrent duplicate) gets `replayed`/`unknown`. A state presented by another browser is
   * not consumed, so an attacker who saw it cannot burn the real user's login.
   */
  take(state: string, browserNonce: string | undefined): Promise<TakeStateResult>;
}

const hashNonce = (nonce: string) => createHash('sha256').update(nonce, 'utf8').digest('hex');

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

function isRecord(value: unknown): value is OAuthStateRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<OAuthStateRecord>;
  return (
    typeof record.callback === 'string' &&
    (record.scope === 'snsapi_base' || record.scope === 'snsapi_userinfo') &&
    typeof record.browserNonceHash === 'string' &&
    typeof record.expiresAt === 'number'
  );
}

/**
 * OAuth `state` in keyv (shared by the fleet), one key per state — never the article's single global `callback`
 * key, where one user's callback overwrote another's.
 */
export function createOAuthStateStore(options: {
  cache: Keyv;
  now: () => number;
  ttlMs?: number;
}): OAuthStateStore {
  const ttlMs = options.ttlMs ?? OAUTH_STATE_TTL_MS;
  const key = (state: string) => `oauth:state:${state}`;
  return {
    createBrowserNonce: () => randomBytes(24).toString('base64url'),

    async create({ callback, scope, browserNonce }) {
      const state = createNonce(OAUTH_STATE_LENGTH);
      const record: OAuthStateRecord = {
        callback,
        scope,
        browserNonceHash: hashNonce(browserNonce),
        expiresAt: options.now() + ttlMs,
      };
      // keyv reports a failed write (e.g. Redis unreachable) as false: a state nobody stored would only fail later.
      if (!(await guardCache(options.cache.set(key(state), record, ttlMs)))) {
        throw new ApiError('not_ready', 'Login is unavailable right now. Please try again shortly.');
      }
      return state;
    },

    async take(state, browserNonce) {
      const value: unknown = await guardCache(options.cache.get(key(state)));
      if (!isRecord(value)) return { ok: false, reason: 'unknown' };
      if (!browserNonce || !sameHash(hashNonce(browserNonce), value.browserNonceHash)) {
        return { ok: false, reason: 'other_browser' };
      }
      // keyv's delete reports whether the key existed: of two concurrent takes only one deletes it.
      const deleted = await guardCache(options.cache.delete(key(state)));
      if (!deleted) return { ok: false, reason: 'replayed' };
      if (value.expiresAt <= options.now()) return { ok: false, reason: 'expired' };
      return { ok: true, record: value };
    },
  };
}
