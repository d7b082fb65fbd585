import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

/** One client's allowance on one limit: `allowed`, or how long until it may try again. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Count one request of `key` (a client IP, a notify source) against the limit. */
export type RateLimit = (key: string) => Promise<RateVerdict>;

/** Build a named limit of `perMinute` requests per key; `perMinute` 0 means no limit. */
export type RateLimitFactory = (name: string, perMinute: number) => RateLimit;

export interface RateLimitOptions {
  /** Shared by the fleet when set (one budget per client across instances); in-process otherwise. */
  redis?: RedisClientType | undefined;
  /** Key prefix in Redis (`<namespace>::rl:<name>:<key>`). */
  namespace: string;
}

const WINDOW_SECONDS = 60;

/**
 * Fixed-window limits from rate-limiter-flexible. With Redis the window is counted fleet-wide; while Redis is
 * unreachable each instance falls back to its own in-process window (the insurance limiter) instead of either
 * refusing everyone or letting everyone through.
 */
export function createRateLimits(options: RateLimitOptions): RateLimitFactory {
  return (name, perMinute) => {
    if (perMinute <= 0) return () => Promise.resolve({ allowed: true });
    const memory = new RateLimiterMemory({ points: perMinute, duration: WINDOW_SECONDS, keyPrefix: name });
    const limiter = options.redis
      ? new RateLimiterRedis({
          storeClient: options.redis,
          useRedisPackage: true,
          rejectIfRedisNotReady: true,
          keyPrefix: `${options.namespace}::rl:${name}`,
          points: perMinute,
          duration: WINDOW_SECONDS,
          insuranceLimiter: memory,
        })
      : memory;
    return async (key) => {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
        }
        throw err;
      }
    };
  };
}
