import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import serveStatic from 'koa-static';

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * Serve the built H5 from `distDir` on the api's own origin (the session cookie is first-party). Assets are served
 * as files; every other GET outside `/api/` gets `index.html` (client-side routes). When `bridgeScriptUrl` is set
 * (demo/test only) the page loads that script before anything else, so the emulator's WeixinJSBridge exists
 * before weixin-js-sdk looks for it.
 */
export function serveH5(distDir: string, bridgeScriptUrl: string | undefined): Middleware {
  const indexFile = path.join(distDir, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`H5_DIST_DIR ${distDir} has no index.html: run \`pnpm --filter @wxh5/h5 build\` first`);
  }
  let indexHtml = readFileSync(indexFile, 'utf8');
  if (bridgeScriptUrl) {
    indexHtml = indexHtml.replace(
      /<head>/i,
      `<head><script src="${escapeAttribute(bridgeScriptUrl)}"></script>`,
    );
  }
  const files = serveStatic(distDir, { index: false, maxage: 0, gzip: false, brotli: false });
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    if (ctx.path.startsWith('/api/') || ctx.path === '/healthz' || ctx.path === '/readyz') {
      await next();
      return;
    }
    if (ctx.path !== '/' && ctx.path !== '/index.html') {
      await files(ctx, async () => {});
      if (ctx.body !== undefined && ctx.body !== null) {
        if (ctx.path.startsWith('/assets/')) ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
        return;
      }
      // A missing asset is a 404, not the page.
      if (path.extname(ctx.path) !== '') {
        await next();
        return;
      }
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = indexHtml;
  };
}
