import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Connect, Plugin } from 'vite';

/** The page's entry, and the one that replaces it in mock mode (it starts the mock, then imports the page's). */
const APP_ENTRY = '/src/main.tsx';
const MOCK_ENTRY = '/src/mock/start-mock.ts';
const WORKER_PATH = '/mockServiceWorker.js';

/**
 * `vite --mode mock` (`pnpm dev:mock`): the H5 with no backend. The page's entry becomes `src/mock/start-mock.ts`
 * and Mock Service Worker's worker script is served (dev, preview) or emitted (a mock build) at
 * `/mockServiceWorker.js`. Only this plugin knows the mock exists: a production build neither imports the mock
 * code nor ships the worker (it is not in `public/`).
 */
export function mockMode(): Plugin {
  const workerSource = () =>
    readFileSync(createRequire(import.meta.url).resolve('msw/mockServiceWorker.js'), 'utf8');
  const serveWorker: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.split('?')[0] !== WORKER_PATH) {
      next();
      return;
    }
    res.setHeader('content-type', 'text/javascript; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(workerSource());
  };
  return {
    name: 'wxh5-mock-mode',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => {
        if (!html.includes(APP_ENTRY)) throw new Error(`index.html no longer loads ${APP_ENTRY}`);
        return html.replace(APP_ENTRY, MOCK_ENTRY);
      },
    },
    configureServer: (server) => {
      server.middlewares.use(serveWorker);
    },
    configurePreviewServer: (server) => {
      server.middlewares.use(serveWorker);
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: WORKER_PATH.slice(1), source: workerSource() });
    },
  };
}
