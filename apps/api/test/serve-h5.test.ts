import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { startTestApi, useFileEmulator, type TestApi } from './support';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET that sends exactly the headers given (fetch would add Accept-Encoding and decompress). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX_HTML =
  '<!doctype html><html><head><title>wxh5</title></head><body><div id="root"></div></body></html>';
const APP_JS = `console.log(${JSON.stringify('微信支付 '.repeat(400))});\n`;

const shared = useFileEmulator();
let distDir: string;
let api: TestApi;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  // A built H5 as `vite build` + precompress.mjs leave it: a hashed asset with its .br and .gz copies.
  distDir = mkdtempSync(path.join(tmpdir(), 'wxh5-h5-'));
  mkdirSync(path.join(distDir, 'assets'));
  writeFileSync(path.join(distDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(distDir, 'assets/index-AbCd1234.js'), APP_JS);
  writeFileSync(path.join(distDir, 'assets/index-AbCd1234.js.br'), brotliCompressSync(APP_JS));
  writeFileSync(path.join(distDir, 'assets/index-AbCd1234.js.gz'), gzipSync(APP_JS));
  writeFileSync(path.join(distDir, 'share-icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  api = await startTestApi({
    emulatorUrl: shared.emulator.url,
    env: {
      H5_DIST_DIR: distDir,
      WECHAT_MP_VERIFY_FILE: 'MP_verify_Xy12Ab34Cd56Ef78.txt:Xy12Ab34Cd56Ef78',
      LOG_LEVEL: 'info',
    },
    logger: createLogger('info', {
      write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
    }),
  });
});
afterAll(async () => {
  await api.close();
  rmSync(distDir, { recursive: true, force: true });
});

describe('serving the built H5', () => {
  it('serves a hashed asset precompressed as brotli, immutable, varying on Accept-Encoding', async () => {
    const response = await rawGet(`${api.url}/assets/index-AbCd1234.js`, { 'accept-encoding': 'gzip, br' });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers.vary).toMatch(/Accept-Encoding/i);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body.length).toBeLessThan(Buffer.byteLength(APP_JS) / 4);
    expect(brotliDecompressSync(response.body).toString('utf8')).toBe(APP_JS);
  });

  it('serves the gzip copy to a client that takes only gzip, and the file itself to one that takes neither', async () => {
    const gzip = await rawGet(`${api.url}/assets/index-AbCd1234.js`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString('utf8')).toBe(APP_JS);
    const plain = await rawGet(`${api.url}/assets/index-AbCd1234.js`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.body.toString('utf8')).toBe(APP_JS);
  });

  it('serves index.html compressed and revalidated on every load (no-cache), also for client-side routes', async () => {
    for (const pagePath of ['/', '/index.html', '/orders/abc']) {
      const response = await rawGet(`${api.url}${pagePath}`, { 'accept-encoding': 'br' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-encoding']).toBe('br');
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      expect(brotliDecompressSync(response.body).toString('utf8')).toBe(INDEX_HTML);
    }
    const plain = await rawGet(`${api.url}/`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(INDEX_HTML);
  });

  it('answers 404 for a missing asset, and does not mark an unhashed file immutable', async () => {
    expect((await rawGet(`${api.url}/assets/missing-00000000.js`)).status).toBe(404);
    const icon = await rawGet(`${api.url}/share-icon.png`);
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).not.toMatch(/immutable/);
  });
});

describe('the JS-safe-domain verification file', () => {
  it('is served at the domain root as plain text with exactly the configured contents', async () => {
    const response = await rawGet(`${api.url}/MP_verify_Xy12Ab34Cd56Ef78.txt`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body.toString('utf8')).toBe('Xy12Ab34Cd56Ef78');
  });

  it('is not served under another name', async () => {
    expect((await rawGet(`${api.url}/MP_verify_other.txt`)).status).toBe(404);
  });
});

describe('the access log', () => {
  it('writes one info line per request with method, route pattern, status, duration and request id', async () => {
    const response = await fetch(`${api.url}/api/wechat/pay/orders/NoSuchOrder0000000000000000001`, {
      headers: { 'x-request-id': 'access-log-test-1' },
    });
    expect(response.status).toBe(401);
    const lines = logLines.filter((line) => line.msg === 'request' && line.requestId === 'access-log-test-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/wechat/pay/orders/:outTradeNo',
      status: 401,
      durationMs: expect.any(Number),
    });
  });
});
