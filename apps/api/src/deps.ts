import type Keyv from 'keyv';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { AppMetrics } from './metrics/create-metrics';
import type { ProductCatalog } from './pay/product-catalog';
import type { RateLimitFactory } from './shared/create-rate-limits';
import type { Database } from './store/schema';
import type { ClientCertificate } from './wechat/pay/v2/pay-client';

/**
 * A named lock shared by every api instance (Redis when `REDIS_URL` is set, in-process otherwise): `fn` runs while
 * the lock is held; the lock expires after `ttlMs` even if its holder dies.
 */
export interface LockService {
  withLock<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
}

/** Everything from outside the app, built by `main.ts` (or a test) and handed to `createApp`. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  /** Short-lived shared state: global access_token, jsapi_ticket, OAuth state, per-user OAuth tokens. */
  cache: Keyv;
  locks: LockService;
  /** Per-client request limits (fleet-wide through Redis when configured). */
  rateLimits: RateLimitFactory;
  /** Prometheus metrics in their own registry (served by main.ts on METRICS_PORT). */
  metrics: AppMetrics;
  /** Milliseconds since the epoch; injected so tests can move time. */
  now: () => number;
  /**
   * The merchant's API client certificate, read once at start-up from `config.wechat.payCertificate`; the pay
   * client presents it on `/secapi/` calls (refunds) only. Unset = none configured.
   */
  payClientCertificate?: ClientCertificate;
  /**
   * Where prices come from. Unset: the `products` table (managed with the admin product routes). A merchant who
   * prices in its own system passes its own `ProductCatalog` here (pay/product-catalog.ts); without a `writer` the
   * admin product routes answer 405.
   */
  catalog?: ProductCatalog;
  /** Readiness probes beyond the database (e.g. Redis ping). */
  readinessChecks?: Record<string, () => Promise<void>>;
}
