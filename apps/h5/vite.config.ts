/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

// The only place the H5 reads the environment, and only at dev/build time: nothing here reaches the bundle.
// WXH5_API_URL: where `pnpm dev` proxies /api (any running @wxh5/api). WECHAT_BRIDGE_SCRIPT_URL: in dev, load the
// emulator's WeixinJSBridge first, as the api does when it serves the built page.
const apiUrl = process.env.WXH5_API_URL ?? 'http://127.0.0.1:3000';
const bridgeScriptUrl = process.env.WECHAT_BRIDGE_SCRIPT_URL;

function loadBridgeFirst(src: string): Plugin {
  return {
    name: 'wxh5-load-wechat-bridge-first',
    apply: 'serve',
    transformIndexHtml: () => [{ tag: 'script', attrs: { src }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [react(), ...(bridgeScriptUrl ? [loadBridgeFirst(bridgeScriptUrl)] : [])],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: {
      '/api': { target: apiUrl },
      '/healthz': { target: apiUrl },
      '/readyz': { target: apiUrl },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    rolldownOptions: {
      // @wxh5/contracts is shared with the api: the H5 uses its route names, constants and types, not its zod
      // schemas. Declaring its modules side-effect free lets the bundler drop the schemas (and zod) it never uses.
      treeshake: { moduleSideEffects: (id: string) => !/[\\/]packages[\\/]contracts[\\/]/.test(id) },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
