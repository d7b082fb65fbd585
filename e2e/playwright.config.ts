import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * Browser tests run in Debian's Chromium (never a Playwright-downloaded browser: `playwright install` is not part
 * of this project). The viewport is a 375×667 phone, as the H5 is built 375 px first.
 */
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(
    `${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with \`apt-get install -y chromium\` (as root), then run \`pnpm test:e2e\` again.`,
  );
}

export default defineConfig({
  testDir: 'tests',
  globalSetup: './tests/support/global-setup.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 375, height: 667 },
    // A Chinese phone: the H5 speaks the browser's language (English tests set en-US or ?lang=en).
    locale: 'zh-CN',
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
