import { createKeyv } from '@keyv/redis';
import Keyv from 'keyv';
import type { RedisClientType } from 'redis';

export interface CacheOptions {
  /** Redis client shared with the locks; unset = an in-process Map. */
  redis?: RedisClientType | undefined;
  /** Key namespace (`<namespace>::<key>` in Redis); tests use a random one to stay isolated. */
  namespace: string;
  onError: (err: unknown) => void;
}

/**
 * The keyv store for short-lived shared state (global access_token, jsapi_ticket, OAuth state, per-user OAuth
 * tokens). Errors are reported and surface to callers as misses/failed writes instead of crashing the process.
 */
export function createCache(options: CacheOptions): Keyv {
  const cache = options.redis
    ? // throwOnErrors: the adapter passes Redis failures up, so keyv reports a failed write as `false` (and a
      // failed read as a miss) instead of pretending it succeeded.
      createKeyv(options.redis, { namespace: options.namespace, throwOnErrors: true })
    : new Keyv({ namespace: options.namespace });
  // Every failure reaches the caller (who maps it, see guardCache) instead of looking like a miss or a success.
  cache.throwOnErrors = true;
  cache.on('error', options.onError);
  return cache;
}
