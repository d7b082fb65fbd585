import { DEMO } from '@wxh5/wechat-emulator/testing';
import { parseConfig, type Config } from '../../src/config';

/** The demo credentials of product.md §4: the emulator seeds them and exports them (valid nowhere else). */
export { DEMO };

export const TEST_COOKIE_KEY = 'test-cookie-key-0123456789abcdefghijklmnop';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop';

export interface TestEnvOptions {
  /** The emulator's URL: OAuth, API and Pay base URLs all point at it. */
  emulatorUrl: string;
  /** The api's own origin, e.g. `http://127.0.0.1:43121` (startTestApi listens first, then builds the config). */
  publicBaseUrl: string;
  databaseUrl?: string;
  /** Anything else, e.g. `{COOKIE_KEYS: '…', REDIS_URL: 'redis://127.0.0.1:6379'}`; wins over the defaults. */
  env?: Record<string, string | undefined>;
}

/** The environment a test api runs with: demo credentials, everything WeChat at the emulator, silent logs. */
export function testEnv(options: TestEnvOptions): Record<string, string | undefined> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: options.publicBaseUrl,
    COOKIE_KEYS: TEST_COOKIE_KEY,
    DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:',
    WECHAT_APP_ID: DEMO.appId,
    WECHAT_APP_SECRET: DEMO.appSecret,
    WECHAT_MCH_ID: DEMO.mchId,
    WECHAT_PAY_KEY: DEMO.payKey,
    WECHAT_OAUTH_BASE_URL: options.emulatorUrl,
    WECHAT_API_BASE_URL: options.emulatorUrl,
    WECHAT_PAY_BASE_URL: options.emulatorUrl,
    // Short enough that an injected `timeout` fault fails fast, long enough for a loaded 2-core CI box.
    WECHAT_TIMEOUT_MS: '2000',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PAY_SWEEP_INTERVAL_SECONDS: '0',
    // The demo's products (course 19900, vip-month 3000, tip: any amount): createOrderAs buys the tip.
    SEED_DEMO_PRODUCTS: 'true',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
}

export function testConfig(options: TestEnvOptions): Config {
  return parseConfig(testEnv(options));
}

/** A clock tests can move: `clock.now` (real time plus an offset) goes into deps.now, `clock.advance(ms)` moves it. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function createTestClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}
