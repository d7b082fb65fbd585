import type { API_ERRORS, ApiFailure } from '@wxh5/contracts';
import type { ProxyOptions } from 'vite';

// Vite loads its config with plain Node, which cannot import the contracts' TypeScript at run time: the values are
// spelled out here and checked against the contract by the compiler.
const NOT_READY = { code: 50301, status: 503 } as const satisfies (typeof API_ERRORS)['not_ready'];

/**
 * Dev proxy options for one api path. When nothing answers at `apiUrl` (the backend is not running), the page
 * gets the api's own JSON envelope, `503 not_ready`, with a sentence naming the fix, instead of Vite's empty
 * `502` that the page can only report as "HTTP 502"; the terminal gets the same sentence once per outage.
 */
export function proxyToApi(apiUrl: string, log: (message: string) => void): ProxyOptions {
  let warned = false;
  return {
    target: apiUrl,
    configure(proxy) {
      proxy.on('proxyRes', () => {
        warned = false;
      });
      // Registered before Vite's own handler, which then sees the answer already sent and only logs.
      proxy.on('error', (error, _req, res) => {
        const message = `The wxh5 api is not running at ${apiUrl} (${(error as NodeJS.ErrnoException).code ?? error.message}). Start the backend with \`pnpm dev:backend\`, or point WXH5_API_URL at a running api.`;
        if (!warned) {
          warned = true;
          log(message);
        }
        // A socket (a WebSocket upgrade) has no HTTP answer to give.
        if (!('writeHead' in res)) return;
        const response = res;
        if (response.headersSent || response.writableEnded) return;
        response
          .writeHead(NOT_READY.status, {
            'content-type': 'application/json; charset=utf-8',
            'cache-control': 'no-store',
          })
          .end(JSON.stringify({ code: NOT_READY.code, error: 'not_ready', message } satisfies ApiFailure));
      });
    },
  };
}
