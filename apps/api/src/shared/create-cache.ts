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
    ? createKeyv(options.redis, { namespace: options.namespace })
    : new Keyv({ namespace: options.namespace });
  cache.on('error', options.onError);
  return cache;
}
