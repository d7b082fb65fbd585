import type { Plugin } from 'vite';

/**
 * Dev server only: load WeChat's JS bridge (the emulator's `/jsbridge.js`) before anything else, as the api does
 * when it serves the built page, so jweixin finds a `WeixinJSBridge` in a desktop browser.
 */
export function loadBridgeFirst(src: string): Plugin {
  return {
    name: 'wxh5-load-wechat-bridge-first',
    apply: 'serve',
    transformIndexHtml: () => [{ tag: 'script', attrs: { src }, injectTo: 'head-prepend' }],
  };
}
