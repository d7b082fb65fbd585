import { ensureH5Built } from './h5-build';

/**
 * Before any browser test: build `apps/h5/dist` when it is missing or older than the H5's sources. A failed build
 * does not stop suites that do not need the H5 (the emulator's own browser tests); `startStack` refuses to serve
 * a missing or stale build and says why.
 */
export default function globalSetup(): void {
  try {
    ensureH5Built();
  } catch (error) {
    console.warn(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
  }
}
