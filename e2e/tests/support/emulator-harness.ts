// Helpers for the emulator's own browser tests: a tiny page server (the "merchant H5") that loads the
// emulator's /jsbridge.js before the real weixin-js-sdk, a notify receiver, and signed Pay v2 calls.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNonce, jssdkSignature } from '@wxh5/wechat-core';
import { callPay as callSignedPay } from '@wxh5/wechat-emulator/testing';
import type { SignType } from '@wxh5/wechat-core';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** weixin-js-sdk as installed for the H5 (the e2e package does not depend on it directly). */
function loadJweixinSource(): string {
  const requireFromH5 = createRequire(path.join(REPO_ROOT, 'apps/h5/package.json'));
  return readFileSync(requireFromH5.resolve('weixin-js-sdk'), 'utf8');
}

export interface PageServer {
  origin: string;
  /** Every request body POSTed to /notify, raw. */
  notifies: string[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Serves `/page` (bridge first, then jweixin as a plain script), `/jweixin.js`, `/callback` (OAuth landing) and
 * `POST /notify` (answers WeChat's SUCCESS XML and records the body).
 */
export async function startPageServer(emulatorUrl: string): Promise<PageServer> {
  // jweixin is a CommonJS UMD module; as a plain script it needs a `module` and sets no global itself.
  const jweixin = `var module = { exports: {} };\n${loadJweixinSource()}\nwindow.wx = module.exports;\n`;
  const notifies: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://page.local');
    if (req.method === 'POST' && url.pathname === '/notify') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        notifies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
        );
      });
      return;
    }
    if (url.pathname === '/jweixin.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end(jweixin);
      return;
    }
    if (url.pathname.startsWith('/page') || url.pathname === '/callback') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>商户 H5</title>
<script src="${emulatorUrl}/jsbridge.js"></script>
<script src="/jweixin.js"></script>
<style>body{font-family:-apple-system,Helvetica,sans-serif;margin:0;padding:24px;background:#f7f7f7}h1{font-size:20px}</style>
</head><body><h1>wxh5 商户页面</h1><p>emulator browser test page</p></body></html>`);
      return;
    }
    res.writeHead(404);
    res.end();
  };
  const server = createServer(handle);
  const port = await listen(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    notifies,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function getJson<T = Record<string, unknown>>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  return (await response.json()) as T;
}

export async function postJson<T = Record<string, unknown>>(url: string, body: unknown): Promise<T> {
  return getJson<T>(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The app's current jsapi_ticket, fetched the way a server does (token, then ticket). */
export async function fetchJsapiTicket(emulatorUrl: string, appId: string, secret: string): Promise<string> {
  const token = await getJson<{ access_token: string }>(
    `${emulatorUrl}/cgi-bin/token?grant_type=client_credential&appid=${appId}&secret=${secret}`,
  );
  const ticket = await getJson<{ ticket: string }>(
    `${emulatorUrl}/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi`,
  );
  return ticket.ticket;
}

export interface WxConfig {
  appId: string;
  timestamp: string;
  nonceStr: string;
  signature: string;
}

export function signConfig(appId: string, ticket: string, pageUrl: string): WxConfig {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonceStr = createNonce(16);
  return {
    appId,
    timestamp,
    nonceStr,
    signature: jssdkSignature({ jsapi_ticket: ticket, noncestr: nonceStr, timestamp, url: pageUrl }),
  };
}

/** A signed Pay v2 call (XML over POST), answered as parsed fields. */
export async function callPay(
  emulatorUrl: string,
  apiPath: string,
  params: Record<string, string | number>,
  key: string,
  signType: SignType,
): Promise<Record<string, string>> {
  // The emulator's own signed test client, with sign_type always declared.
  return callSignedPay(emulatorUrl, apiPath, params, { key, signType, declareSignType: true });
}

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'e2e/screenshots');
