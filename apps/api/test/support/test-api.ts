import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import pg from 'pg';
import { createApp } from '../../src/app';
import { parseConfig, type Config } from '../../src/config';
import { createDeps } from '../../src/create-deps';
import type { AppDeps } from '../../src/deps';
import type { Logger } from '../../src/logger';
import type { ProductCatalog } from '../../src/pay/product-catalog';
import { testEnv } from './test-config';

export const TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface StartTestApiOptions {
  emulatorUrl: string;
  /** `sqlite` (default): a fresh in-memory database; `postgres`: a fresh schema in the local `test` db. */
  database?: 'sqlite' | 'postgres';
  /** A specific SQLite database (e.g. `sqlite:/tmp/x.sqlite`) that several apps share; wins over `database`. */
  sqliteUrl?: string;
  /** Extra/overriding environment variables (e.g. COOKIE_KEYS, ALLOWED_CALLBACK_ORIGINS). */
  env?: Record<string, string | undefined>;
  /** With `database: 'postgres'`: this existing schema (shared by a fleet; the caller creates and drops it). */
  sharedSchema?: string;
  /** Use the local Redis (REDIS_URL) for cache and locks. */
  redis?: boolean;
  /** Cache/lock key namespace; default a random one. Instances of one "fleet" share it. */
  cacheNamespace?: string;
  /** deps.now; see createTestClock. */
  now?: () => number;
  logger?: Logger;
  /** deps.catalog: a product catalog of the test's own (default: the products table, seeded with the demo's). */
  catalog?: ProductCatalog;
}

export interface TestApi {
  /** `http://127.0.0.1:<port>` — also PUBLIC_BASE_URL. */
  url: string;
  config: Config;
  deps: AppDeps;
  app: Koa;
  close(): Promise<void>;
}

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

async function withPg(fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Start the api on a real socket: listen on 127.0.0.1:0 first, then build the config with PUBLIC_BASE_URL = that
 * origin (so OAuth redirect_uri, callback allow-list and the session cookie all use the real URL), then the deps and
 * the app. Each call gets its own database (and, unless shared on purpose, its own cache namespace).
 */
/** Run `text` on the test PostgreSQL (e.g. create or drop a fleet's shared schema). */
export async function pgExecute(text: string): Promise<void> {
  await withPg((client) => client.query(text));
}

export async function startTestApi(options: StartTestApiOptions): Promise<TestApi> {
  const server = createServer();
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  const database = options.sqliteUrl ? 'sqlite' : (options.database ?? 'sqlite');
  const ownSchema = database === 'postgres' && options.sharedSchema === undefined;
  const schema = database === 'postgres' ? (options.sharedSchema ?? `api_test_${randomSuffix()}`) : undefined;

  const cleanups: (() => Promise<void>)[] = [
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  ];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  };

  try {
    if (schema && ownSchema) {
      await withPg((client) => client.query(`create schema "${schema}"`));
    }
    const config = parseConfig(
      testEnv({
        emulatorUrl: options.emulatorUrl,
        publicBaseUrl: url,
        databaseUrl: database === 'postgres' ? TEST_POSTGRES_URL : (options.sqliteUrl ?? 'sqlite::memory:'),
        env: { ...(options.redis ? { REDIS_URL: TEST_REDIS_URL } : {}), ...options.env },
      }),
    );
    const handle = await createDeps(config, {
      cacheNamespace: options.cacheNamespace ?? `test-${randomSuffix()}`,
      ...(schema ? { databaseSchema: schema } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    if (options.redis && !options.cacheNamespace) {
      // A private namespace in the shared Redis: remove its keys (tokens live 2 h otherwise).
      cleanups.push(() => handle.deps.cache.clear());
    }
    cleanups.push(() => handle.close());
    if (schema && ownSchema) {
      cleanups.push(() => withPg((client) => client.query(`drop schema if exists "${schema}" cascade`)));
    }
    const deps: AppDeps = options.catalog ? { ...handle.deps, catalog: options.catalog } : handle.deps;
    const app = createApp(deps);
    const handler = app.callback();
    server.on('request', (req, res) => {
      void handler(req, res);
    });
    return { url, config, deps, app, close: runCleanups };
  } catch (err) {
    if (schema && ownSchema) {
      cleanups.push(() => withPg((client) => client.query(`drop schema if exists "${schema}" cascade`)));
    }
    await runCleanups();
    throw err;
  }
}
