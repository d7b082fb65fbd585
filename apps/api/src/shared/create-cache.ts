import { createKeyv } from '@keyv/redis';
import Keyv from 'keyv';
import type { RedisClientType } from 'redis';
import { createBoundedStore } from './create-bounded-store';

export interface CacheOptions {
  /** Redis client shared with the locks; unset = an in-process Map. */
  redis?: RedisClientType | undefined;
  /** Key namespace (`<namespace>::<key>` in Redis); tests use a random one to stay isolated. */
  namespace: string;
  onError: (err: unknown) => void;
  /** In-process only: the bound on what the cache holds (bytes); the least recently used entries go first. */
  maxBytes: number;
}

/** How often expired in-process entries are dropped even if nobody reads them again. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * The keyv store for short-lived shared state (global access_token, jsapi_ticket, OAuth state, per-user OAuth
 * tokens). Errors are reported and surface to callers as misses/failed writes instead of crashing the process.
 */
export function createCache(options: CacheOptions): Keyv {
  const cache = options.redis
    ? // throwOnErrors: the adapter passes Redis failures up, so keyv reports a failed write as `false` (and a
      // failed read as a miss) instead of pretending it succeeded.
      createKeyv(options.redis, { namespace: options.namespace, throwOnErrors: true })
    : inProcessCache(options);
  // Every failure reaches the caller (who maps it, see guardCache) instead of looking like a miss or a success.
  cache.throwOnErrors = true;
  cache.on('error', options.onError);
  return cache;
}

function inProcessCache(options: CacheOptions): Keyv {
  const store = createBoundedStore({ maxBytes: options.maxBytes });
  const cache = new Keyv({ store, namespace: options.namespace });
  const purge = setInterval(() => store.purgeStale(), PURGE_INTERVAL_MS);
  purge.unref();
  cache.on('disconnect', () => clearInterval(purge));
  return cache;
}
