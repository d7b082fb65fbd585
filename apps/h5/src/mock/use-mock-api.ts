import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createHandlers } from './handlers';
import { createMockStore, type MockStore, type MockStoreOptions } from './mock-store';

export interface MockApi {
  /** This test's store (a fresh one per test). */
  readonly store: MockStore;
  /** `METHOD /path?query` of every request the page made in this test, in order. */
  readonly requests: string[];
  /** The JSON bodies the page sent to `pathname` in this test, in order (e.g. what payWallet was asked). */
  bodiesSentTo(pathname: string): Promise<unknown[]>;
  /** Answer some routes differently in this test only (e.g. `mockFailure('not_ready', …)`). */
  use(...handlers: RequestHandler[]): void;
}

/**
 * The component tests' api: the same Mock Service Worker handlers as `pnpm dev:mock`, in Node (msw/node
 * intercepts `fetch`), over a fresh `MockStore` per test. A request no handler answers fails the test.
 */
export function useMockApi(options: MockStoreOptions = {}): MockApi {
  const server = setupServer();
  const requests: string[] = [];
  const bodies: Array<{ pathname: string; text: Promise<string> }> = [];
  let store = createMockStore(options);
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    if (request.method !== 'GET') bodies.push({ pathname: url.pathname, text: request.clone().text() });
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    store = createMockStore(options);
    requests.length = 0;
    bodies.length = 0;
    server.resetHandlers(...createHandlers(store));
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return {
    get store() {
      return store;
    },
    requests,
    bodiesSentTo: async (pathname) =>
      Promise.all(
        bodies
          .filter((body) => body.pathname === pathname)
          .map(async (body) => JSON.parse(await body.text) as unknown),
      ),
    use: (...handlers) => server.use(...handlers),
  };
}
