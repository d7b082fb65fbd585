import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { createClient, type RedisClientType } from 'redis';
import type { Config } from './config';
import type { AppDeps } from './deps';
import { createLogger, type Logger } from './logger';
import { createMetrics, type AppMetrics } from './metrics/create-metrics';
import { createCache } from './shared/create-cache';
import { createRateLimits } from './shared/create-rate-limits';
import { createInProcessLocks } from './shared/in-process-locks';
import { createRedisLocks } from './shared/redis-locks';
import { DependencyError, describeUrl, errorCodeOf, errorDetailOf } from './shared/dependency-error';
import { backoffMs, retryAtStartUp } from './shared/retry-at-start-up';
import { migrateToLatest, openDatabase } from './store/database';
import { seedDemoProducts } from './pay/demo-products';
import { isDatabaseUnavailable } from './shared/database-unavailable';
import type { ClientCertificate } from './wechat/pay/v2/pay-client';

/**
 * Read the merchant API client certificate named by the config (once, at start-up) and check that TLS accepts it —
 * a wrong passphrase or a key that does not match the certificate fails here, not at the first refund.
 */
export function loadPayClientCertificate(config: Config): ClientCertificate | undefined {
  const source = config.wechat.payCertificate;
  if (!source) return undefined;
  let certificate: ClientCertificate;
  let what: string;
  try {
    if (source.kind === 'p12') {
      what = source.path;
      certificate = { pfx: readFileSync(source.path), passphrase: source.passphrase };
    } else {
      what = `${source.certPath} + ${source.keyPath}`;
      certificate = { cert: readFileSync(source.certPath), key: readFileSync(source.keyPath) };
    }
  } catch (err) {
    throw new Error(`cannot read the WeChat Pay client certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    createSecureContext(certificate);
  } catch (err) {
    throw new Error(`the WeChat Pay client certificate (${what}) is not usable: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return certificate;
}

/**
 * Connect to Redis, retrying with bounded backoff for `deadlineMs` at start-up (then a `DependencyError` naming the
 * host and the error code), and for ever once it has been up: an outage later is survived (requests that need it
 * answer 503, /readyz says so) and logged once when it starts and once when it ends, not at every retry.
 */
async function connectRedis(url: string, deadlineMs: number, logger: Logger): Promise<RedisClientType> {
  const target = `Redis at ${describeUrl(url, 6379)}`;
  const startedAt = Date.now();
  let everReady = false;
  let down = false;
  let attempts = 0;
  let lastError: unknown;
  const redis: RedisClientType = createClient({
    url,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries, cause) => {
        attempts = retries + 1;
        lastError = cause;
        const delayMs = backoffMs(retries);
        if (!everReady && Date.now() - startedAt + delayMs > deadlineMs) {
          return new DependencyError(
            target,
            errorCodeOf(cause),
            errorDetailOf(cause),
            attempts,
            Date.now() - startedAt,
          );
        }
        return delayMs;
      },
    },
    // While Redis is unreachable, commands fail at once instead of queueing until it returns: requests answer
    // (503) rather than hang, and /readyz reports it.
    disableOfflineQueue: true,
  });
  redis.on('error', (err: unknown) => {
    if (down) return;
    down = true;
    // `errorCode`, not `code`: the logger redacts every `*.code` (OAuth codes), which hid ECONNREFUSED.
    logger.warn(
      { dependency: target, errorCode: errorCodeOf(err), error: errorDetailOf(err) },
      `${target} is unreachable; reconnecting in the background`,
    );
  });
  redis.on('ready', () => {
    if (down) logger.info({ dependency: target }, `${target} is reachable again`);
    down = false;
    everReady = true;
  });
  try {
    await redis.connect();
  } catch (err) {
    if (redis.isOpen) redis.destroy();
    // node-redis wraps what the reconnect strategy returned in a ReconnectStrategyError (`originalError`).
    const original = (err as { originalError?: unknown } | undefined)?.originalError;
    const stopped = original instanceof DependencyError ? original : undefined;
    throw (
      stopped ??
      new DependencyError(
        target,
        errorCodeOf(lastError ?? err),
        errorDetailOf(lastError ?? err),
        attempts,
        Date.now() - startedAt,
        {
          cause: err,
        },
      )
    );
  }
  return redis;
}

export interface DepsOverrides {
  /** Default: a fresh registry. */
  metrics?: AppMetrics;
  logger?: Logger;
  /** Clock in ms; tests move it to expire OAuth state or sessions. */
  now?: () => number;
  /** Prefix of every cache and lock key (Redis); default `wxh5`. Tests pass a random one. */
  cacheNamespace?: string;
  /** PostgreSQL schema that holds the tables (tests use one fresh schema per api). */
  databaseSchema?: string;
}

export interface DepsHandle {
  deps: AppDeps;
  /** Close the cache, Redis and the database (in that order); safe to call twice. */
  close(): Promise<void>;
}

/**
 * Open everything the app needs from the outside world: the database (migrated to the latest version; the demo's
 * products inserted where absent with SEED_DEMO_PRODUCTS), the keyv
 * cache and the lock service (Redis when `config.redisUrl` is set, in-process otherwise) and the readiness probes.
 */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<DepsHandle> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const namespace = overrides.cacheNamespace ?? 'wxh5';
  const payClientCertificate = loadPayClientCertificate(config);
  if (!payClientCertificate) {
    logger.warn(
      'no WeChat Pay client certificate configured (WECHAT_PAY_CERT_P12_PATH, or WECHAT_PAY_CERT_PATH + ' +
        'WECHAT_PAY_KEY_PATH): refunds work against the emulator, but the real WeChat Pay refuses them without it',
    );
  }
  const database = openDatabase(config.databaseUrl, {
    ...(overrides.databaseSchema ? { schema: overrides.databaseSchema } : {}),
    statementTimeoutMs: config.database.statementTimeoutMs,
    connectTimeoutMs: config.database.connectTimeoutMs,
    onConnectionError: (err) =>
      logger.warn(
        { err: { message: err.message, code: (err as { code?: unknown }).code } },
        'database connection lost; the pool reconnects at the next query',
      ),
  });
  let redis: RedisClientType | undefined;
  try {
    const deadlineMs = config.startUpRetrySeconds * 1000;
    await retryAtStartUp(() => migrateToLatest(database.db), {
      target: config.databaseUrl.startsWith('sqlite:')
        ? `SQLite at ${config.databaseUrl.slice('sqlite:'.length)}`
        : `PostgreSQL at ${describeUrl(config.databaseUrl, 5432)}`,
      deadlineMs,
      logger,
      retryable: isDatabaseUnavailable,
    });
    if (config.seedDemoProducts) {
      await seedDemoProducts(database.db, (overrides.now ?? Date.now)());
      logger.info('demo products seeded where absent (SEED_DEMO_PRODUCTS)');
    }
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, deadlineMs, logger);
  } catch (err) {
    await database.close().catch(() => undefined);
    if (redis?.isOpen) redis.destroy();
    throw err;
  }

  const cache = createCache({
    redis,
    namespace,
    onError: (err) => logger.warn({ err }, 'cache error'),
    maxBytes: config.limits.cacheMaxBytes,
  });
  const locks = redis ? createRedisLocks(redis, { keyPrefix: `${namespace}::` }) : createInProcessLocks();
  // The database itself is always probed by /readyz; these are the probes beyond it.
  const readinessChecks: Record<string, () => Promise<void>> = {};
  if (redis) {
    const client = redis;
    readinessChecks.redis = async () => {
      if (!client.isReady) throw new Error('redis is not connected');
      await client.ping();
    };
  }

  const deps: AppDeps = {
    config,
    logger,
    db: database.db,
    cache,
    locks,
    metrics: overrides.metrics ?? createMetrics(),
    rateLimits: createRateLimits({ redis, namespace }),
    now: overrides.now ?? Date.now,
    ...(payClientCertificate ? { payClientCertificate } : {}),
    readinessChecks,
  };

  let closed: Promise<void> | undefined;
  return {
    deps,
    close() {
      closed ??= (async () => {
        if (redis) {
          // createKeyv wraps our client: closing it once is enough. A client that lost its server cannot flush
          // a graceful QUIT, so it is destroyed instead.
          if (redis.isReady) await redis.close().catch(() => undefined);
          else redis.destroy();
        } else {
          await cache.disconnect().catch(() => undefined);
        }
        await database.close();
      })();
      return closed;
    },
  };
}
