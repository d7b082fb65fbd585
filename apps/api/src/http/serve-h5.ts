import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Context, Middleware } from 'koa';
import serveStatic from 'koa-static';

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** Vite's hashed output: the name changes whenever the content does, so a copy may be kept for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface EncodedPage {
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

/** Answer the page in the best encoding the client accepts (the page is compressed once, at start-up). */
function sendPage(ctx: Context, page: EncodedPage): void {
  const encoding = ctx.acceptsEncodings('br', 'gzip', 'identity');
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-cache');
  ctx.vary('Accept-Encoding');
  if (encoding === 'br' || encoding === 'gzip') {
    ctx.set('Content-Encoding', encoding);
    ctx.body = page[encoding];
  } else {
    ctx.body = page.identity;
  }
}

/**
 * Serve the built H5 from `distDir` on the api's own origin (the session cookie is first-party). Assets are served
 * as files — the `.br`/`.gz` copies the H5 build writes beside them when the client accepts one, with
 * `Vary: Accept-Encoding` — and hashed `/assets/*` are immutable; every other GET outside `/api/` gets
 * `index.html` (client-side routes), revalidated on every load (`no-cache`) so a deploy is picked up at once. When
 * `bridgeScriptUrl` is set (demo/test only) the page loads that script before anything else, so the emulator's
 * WeixinJSBridge exists before weixin-js-sdk looks for it.
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
  const identity = Buffer.from(indexHtml, 'utf8');
  const page: EncodedPage = { identity, br: brotliCompressSync(identity), gzip: gzipSync(identity) };
  const files = serveStatic(distDir, { index: false, maxage: 0, gzip: true, brotli: true });
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    if (ctx.path.startsWith('/api/') || ctx.path === '/healthz' || ctx.path === '/readyz') {
      await next();
      return;
    }
    ctx.state.route = 'h5';
    if (ctx.path !== '/' && ctx.path !== '/index.html') {
      await files(ctx, async () => {});
      if (ctx.body !== undefined && ctx.body !== null) {
        // koa-send picked a precompressed copy (or not) by Accept-Encoding: caches must key on it either way.
        ctx.vary('Accept-Encoding');
        if (ctx.path.startsWith('/assets/')) ctx.set('Cache-Control', IMMUTABLE);
        return;
      }
      // A missing asset is a 404, not the page.
      if (path.extname(ctx.path) !== '') {
        await next();
        return;
      }
    }
    sendPage(ctx, page);
  };
}
