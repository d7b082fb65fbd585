export { DEMO_APP_ID, startEmulator, useFileEmulator } from './emulator';
export type {
  EmulatorCounters,
  FaultKind,
  FileEmulator,
  StartEmulatorOptions,
  TestEmulator,
} from './emulator';
export { CookieJar, createHttpClient } from './http-client';
export type { HttpClient, RequestOptions, TestResponse } from './http-client';
export { driveLogin, loginAs } from './login';
export type { LoginSteps } from './login';
export { startTcpRelay } from './tcp-relay';
export type { TcpRelay } from './tcp-relay';
export { TEST_POSTGRES_URL, TEST_REDIS_URL, pgExecute, randomSuffix, startTestApi } from './test-api';
export type { StartTestApiOptions, TestApi } from './test-api';
export { DEMO, TEST_ADMIN_TOKEN, TEST_COOKIE_KEY, createTestClock, testConfig, testEnv } from './test-config';
export type { TestClock, TestEnvOptions } from './test-config';
