import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { buildXml, createNonce, parseXml, signV2 } from '@wxh5/wechat-core';
import got from 'got';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { createDeps, loadPayClientCertificate } from '../src/create-deps';
import { createLogger } from '../src/logger';
import { createPayClientFor } from '../src/wechat/pay/v2/create-v2-gateway-for';
import { createPayClient, type ClientCertificate, type PayClient } from '../src/wechat/pay/v2/pay-client';
import { DEMO, testEnv } from './support';
import { openssl, selfSigned } from './support/self-signed';

/**
 * `/secapi/pay/refund` needs the merchant's API client certificate (mutual TLS). A local HTTPS server that asks for
 * a client certificate (and accepts any, so the test can see what was presented) plays WeChat Pay.
 */

interface Seen {
  path: string;
  /** SHA-256 fingerprint of the certificate the client presented; undefined = none. */
  clientCertificate: string | undefined;
}

let dir: string;
let server: Server;
let baseUrl: string;
let serverCert: string;
const seen: Seen[] = [];
const files = {
  serverKey: '',
  serverCert: '',
  clientKey: '',
  clientCert: '',
  otherKey: '',
  p12: '',
};

/** A signed v2 answer the pay client accepts, for the endpoints this test calls. */
function answer(path: string, request: Record<string, string>): string {
  const fields: Record<string, string | number> = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: DEMO.appId,
    mch_id: DEMO.mchId,
    nonce_str: createNonce(),
    sign_type: 'HMAC-SHA256',
    result_code: 'SUCCESS',
    out_trade_no: request['out_trade_no'] ?? '',
  };
  if (path === '/secapi/pay/refund') {
    fields['out_refund_no'] = request['out_refund_no'] ?? '';
    fields['refund_id'] = '50300100000000000000000000001';
    fields['refund_fee'] = request['refund_fee'] ?? '0';
  } else {
    fields['trade_state'] = 'NOTPAY';
  }
  return buildXml({ ...fields, sign: signV2(fields, DEMO.payKey, 'HMAC-SHA256') });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxh5-cert-'));
  const serverPair = selfSigned(dir, 'server', 'IP:127.0.0.1');
  const clientPair = selfSigned(dir, 'merchant');
  const otherPair = selfSigned(dir, 'other');
  files.serverKey = serverPair.key;
  files.serverCert = serverPair.cert;
  files.clientKey = clientPair.key;
  files.clientCert = clientPair.cert;
  files.otherKey = otherPair.key;
  files.p12 = join(dir, 'apiclient_cert.p12');
  // WeChat's apiclient_cert.p12 is protected with the merchant id.
  openssl(
    'pkcs12',
    '-export',
    '-in',
    clientPair.cert,
    '-inkey',
    clientPair.key,
    '-out',
    files.p12,
    '-passout',
    `pass:${DEMO.mchId}`,
  );
  serverCert = readFileSync(serverPair.cert, 'utf8');

  server = createServer(
    {
      key: readFileSync(serverPair.key),
      cert: serverCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        seen.push({ path, clientCertificate: peer.fingerprint256 });
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(answer(path, parseXml(Buffer.concat(chunks).toString('utf8'))));
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  rmSync(dir, { recursive: true, force: true });
});

function fingerprintOf(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

/** Trust the test server's self-signed certificate (the real WeChat Pay has a public one). */
function trustingTestServer() {
  return got.extend({ https: { certificateAuthority: serverCert } });
}

function payClientWith(clientCertificate: ClientCertificate | undefined): PayClient {
  return createPayClient({
    appId: DEMO.appId,
    mchId: DEMO.mchId,
    key: DEMO.payKey,
    signType: 'HMAC-SHA256',
    baseUrl,
    timeoutMs: 5000,
    maxAttempts: 1,
    http: trustingTestServer(),
    ...(clientCertificate ? { clientCertificate } : {}),
  });
}

async function callBoth(client: PayClient, tag: string): Promise<Seen[]> {
  seen.length = 0;
  await client.orderQuery(`${tag}Q1`);
  const refund = await client.refund({
    outTradeNo: `${tag}R`,
    outRefundNo: `${tag}RF`,
    totalFen: 100,
    refundFen: 40,
    notifyUrl: 'https://m.example.com/api/wechat/pay/refund-callback',
  });
  expect(refund).toEqual({ refundId: '50300100000000000000000000001', refundFen: 40 });
  await client.orderQuery(`${tag}Q2`);
  return [...seen];
}

describe('the pay client with a PEM client certificate', () => {
  it('presents it on /secapi/pay/refund and not on the other calls', async () => {
    const client = payClientWith({
      cert: readFileSync(files.clientCert),
      key: readFileSync(files.clientKey),
    });
    expect(await callBoth(client, 'pem')).toEqual([
      { path: '/pay/orderquery', clientCertificate: undefined },
      { path: '/secapi/pay/refund', clientCertificate: fingerprintOf(files.clientCert) },
      { path: '/pay/orderquery', clientCertificate: undefined },
    ]);
  });

  it('presents nothing anywhere when it has no certificate', async () => {
    expect(await callBoth(payClientWith(undefined), 'none')).toEqual([
      { path: '/pay/orderquery', clientCertificate: undefined },
      { path: '/secapi/pay/refund', clientCertificate: undefined },
      { path: '/pay/orderquery', clientCertificate: undefined },
    ]);
  });
});

describe('the certificate from the configuration', () => {
  const envWith = (extra: Record<string, string>) =>
    testEnv({
      emulatorUrl: baseUrl,
      publicBaseUrl: 'http://127.0.0.1:3000',
      env: extra,
    });

  it('reads the .p12 (passphrase defaulting to the mch_id) and the app presents it on refunds only', async () => {
    const config = parseConfig(envWith({ WECHAT_PAY_CERT_P12_PATH: files.p12 }));
    expect(config.wechat.payCertificate).toEqual({
      kind: 'p12',
      path: files.p12,
      passphrase: DEMO.mchId,
    });
    const handle = await createDeps(config, { logger: createLogger('silent') });
    try {
      expect(handle.deps.payClientCertificate).toMatchObject({ passphrase: DEMO.mchId });
      // The app's own factory (as createPayServices uses it), with the test server trusted.
      const client = createPayClientFor(handle.deps, { http: trustingTestServer(), maxAttempts: 1 });
      expect(await callBoth(client, 'p12')).toEqual([
        { path: '/pay/orderquery', clientCertificate: undefined },
        { path: '/secapi/pay/refund', clientCertificate: fingerprintOf(files.clientCert) },
        { path: '/pay/orderquery', clientCertificate: undefined },
      ]);
    } finally {
      await handle.close();
    }
  });

  it('reads a PEM pair once at start-up; without one it warns once that real refunds need it', async () => {
    const pem = parseConfig(
      envWith({ WECHAT_PAY_CERT_PATH: files.clientCert, WECHAT_PAY_KEY_PATH: files.clientKey }),
    );
    expect(loadPayClientCertificate(pem)).toEqual({
      cert: readFileSync(files.clientCert),
      key: readFileSync(files.clientKey),
    });

    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const handle = await createDeps(parseConfig(envWith({})), { logger });
    try {
      expect(handle.deps.payClientCertificate).toBeUndefined();
      const warnings = lines.filter((line) => line.includes('client certificate'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('WECHAT_PAY_CERT_P12_PATH');
    } finally {
      await handle.close();
    }
  });

  it('refuses at start-up a key that does not match the certificate, and a wrong .p12 passphrase', () => {
    const mismatched = parseConfig(
      envWith({ WECHAT_PAY_CERT_PATH: files.clientCert, WECHAT_PAY_KEY_PATH: files.otherKey }),
    );
    expect(() => loadPayClientCertificate(mismatched)).toThrow(/client certificate .* is not usable/);
    const wrongPassphrase = parseConfig(
      envWith({ WECHAT_PAY_CERT_P12_PATH: files.p12, WECHAT_PAY_CERT_PASSPHRASE: 'not-the-passphrase' }),
    );
    expect(() => loadPayClientCertificate(wrongPassphrase)).toThrow(/is not usable/);
  });
});
