import { test as base } from './fixtures';
import { startStack } from './stack';
import type { Stack } from './stack';

export { expect } from './fixtures';

/**
 * `test` for the full-flow specs: the shared offline fixture plus a worker-scoped `stack` (emulator + api + built
 * H5 + SQLite), started on first use and stopped when the worker ends. Every test gets its own browser context,
 * so its own cookies and session.
 */
export const test = base.extend<object, { stack: Stack; stackV3: Stack }>({
  stack: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies destructured
    async ({}, use) => {
      const stack = await startStack();
      try {
        await use(stack);
      } finally {
        await stack.stop();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  // The same product on WeChat Pay API v3 (public-key mode): started only by the specs that use it.
  stackV3: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies destructured
    async ({}, use) => {
      const stack = await startStack({ pay: 'v3' });
      try {
        await use(stack);
      } finally {
        await stack.stop();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});
