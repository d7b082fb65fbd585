/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';
import { proxyToApi } from './vite/answer-when-api-down.ts';
import { loadBridgeFirst } from './vite/load-bridge-first.ts';
import { mockMode } from './vite/mock-mode.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

// The only place the H5 reads the environment, and only at dev/build time: nothing here reaches the bundle.
// `.env.development` holds the defaults for `pnpm dev` against `pnpm dev:backend`; the process environment wins.
// WXH5_API_URL: where the dev server proxies /api (any running @wxh5/api). WECHAT_BRIDGE_SCRIPT_URL: in dev, load
// the emulator's WeixinJSBridge first, as the api does when it serves the built page (empty = none, e.g. against
// real WeChat). `--mode mock` (`pnpm dev:mock`) needs neither: Mock Service Worker answers /api in the page and a
// fake bridge stands in for WeChat (vite/mock-mode.ts); its builds go to dist-mock/, never over the real dist/.
export default defineConfig(({ mode }) => {
  const mock = mode === 'mock';
  const env = loadEnv(mode, root, '');
  const apiUrl = env['WXH5_API_URL'] || 'http://127.0.0.1:3000';
  const bridgeScriptUrl = env['WECHAT_BRIDGE_SCRIPT_URL'];
  const log = (message: string) => console.warn(`[wxh5] ${message}`);
  return {
    plugins: [
      react(),
      ...(mock ? [mockMode()] : []),
      ...(bridgeScriptUrl && !mock ? [loadBridgeFirst(bridgeScriptUrl)] : []),
    ],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    server: {
      proxy: mock
        ? {}
        : {
            '/api': proxyToApi(apiUrl, log),
            '/healthz': proxyToApi(apiUrl, log),
            '/readyz': proxyToApi(apiUrl, log),
          },
    },
    build: {
      outDir: mock ? 'dist-mock' : 'dist',
      emptyOutDir: true,
      manifest: true,
      target: 'es2020',
      rolldownOptions: {
        // @wxh5/contracts is shared with the api: the H5 uses its route names, constants and types, not its zod
        // schemas. Declaring its modules side-effect free lets the bundler drop the schemas (and zod) it never
        // uses.
        treeshake: { moduleSideEffects: (id: string) => !/[\\/]packages[\\/]contracts[\\/]/.test(id) },
      },
    },
    test: {
      environment: 'jsdom',
      include: ['src/**/*.test.{ts,tsx}'],
    },
  };
});
