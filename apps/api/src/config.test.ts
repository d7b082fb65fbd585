import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

/** A production-shaped set-up (https, the real WeChat hosts by default) with made-up, non-demo credentials. */
const valid = {
  PUBLIC_BASE_URL: 'https://m.example.com/',
  COOKIE_KEYS: 'k'.repeat(32) + ',' + 'o'.repeat(40),
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_APP_SECRET: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  WECHAT_MCH_ID: '1234567890',
  WECHAT_PAY_KEY: 'NotTheDemoKey0123456789abcdefXYZ',
};

/** The published demo values (.env.example, scripts/demo.mjs, product.md §4). */
const demo = {
  COOKIE_KEYS: 'demo-cookie-key-change-me-0123456789abcdef',
  ADMIN_TOKEN: 'wxh5-demo-admin-token-0123456789abcdef-not-secret',
  WECHAT_APP_ID: 'wx8a4c5b1d2e3f6a70',
  WECHAT_APP_SECRET: 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a',
  WECHAT_MCH_ID: '1900000109',
  WECHAT_PAY_KEY: 'DemoPayKey0123456789abcdefABCDEF',
  WECHAT_BRIDGE_SCRIPT_URL: 'http://127.0.0.1:4000/jsbridge.js',
};
const emulatorHosts = {
  WECHAT_OAUTH_BASE_URL: 'http://127.0.0.1:4000',
  WECHAT_API_BASE_URL: 'http://127.0.0.1:4000',
  WECHAT_PAY_BASE_URL: 'http://127.0.0.1:4000',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('refuses published demo secrets and the bridge script with an https public URL, naming each variable', () => {
    const problems = problemsOf({ ...valid, ...emulatorHosts, ...demo });
    for (const name of Object.keys(demo)) {
      expect(problems.filter((p) => p.startsWith(`${name}:`))).toHaveLength(1);
    }
    expect(problems.every((p) => p.includes('PUBLIC_BASE_URL is https'))).toBe(true);
  });

  it('refuses a demo secret with the real WeChat hosts even on an http public URL', () => {
    const problems = problemsOf({
      ...valid,
      PUBLIC_BASE_URL: 'http://10.0.0.5:3000',
      COOKIE_KEYS: demo.COOKIE_KEYS,
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^COOKIE_KEYS: .*WECHAT_OAUTH_BASE_URL is the real WeChat host/);
    // A rotation list that still holds the demo key is refused too.
    expect(problemsOf({ ...valid, COOKIE_KEYS: `${'n'.repeat(40)},${demo.COOKIE_KEYS}` })[0]).toMatch(
      /^COOKIE_KEYS:/,
    );
  });

  it('accepts the demo secrets on the local emulator over http', () => {
    const config = parseConfig({
      ...valid,
      ...demo,
      ...emulatorHosts,
      PUBLIC_BASE_URL: 'http://localhost:3000',
    });
    expect(config.bridgeScriptUrl).toBe(demo.WECHAT_BRIDGE_SCRIPT_URL);
  });

  it('fills the documented defaults', () => {
    const config = parseConfig(valid);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicBaseUrl).toBe('https://m.example.com');
    expect(config.secureCookies).toBe(true);
    expect(config.databaseUrl).toBe('sqlite:./data/wxh5.sqlite');
    expect(config.redisUrl).toBeUndefined();
    expect(config.wechat.paySignType).toBe('HMAC-SHA256');
    expect(config.wechat.oauthBaseUrl).toBe('https://open.weixin.qq.com');
    expect(config.wechat.apiBaseUrl).toBe('https://api.weixin.qq.com');
    expect(config.wechat.payBaseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(config.allowedOrigins).toEqual(['https://m.example.com']);
    expect(config.cookieKeys).toHaveLength(2);
    expect(config.trustProxy).toBe(false);
    expect(config.adminToken).toBeUndefined();
  });

  it('lists every missing secret in one error', () => {
    const problems = problemsOf({});
    for (const name of [
      'PUBLIC_BASE_URL',
      'COOKIE_KEYS',
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'WECHAT_MCH_ID',
      'WECHAT_PAY_KEY',
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('rejects short cookie keys, a pay key that is not 32 characters and an unknown sign type', () => {
    const problems = problemsOf({
      ...valid,
      COOKIE_KEYS: 'short',
      WECHAT_PAY_KEY: 'x',
      WECHAT_PAY_SIGN_TYPE: 'SHA1',
      ADMIN_TOKEN: 'tiny',
    });
    expect(problems).toHaveLength(4);
  });

  it('adds extra allowed origins, reduced to their origin', () => {
    const config = parseConfig({
      ...valid,
      ALLOWED_CALLBACK_ORIGINS: 'http://localhost:5173/x, http://127.0.0.1:3000',
    });
    expect(config.allowedOrigins).toEqual([
      'https://m.example.com',
      'http://localhost:5173',
      'http://127.0.0.1:3000',
    ]);
  });

  it('rejects a database URL that is neither sqlite nor postgres', () => {
    expect(problemsOf({ ...valid, DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL/);
  });

  it('throttles status-route reconciliation to once per 5 s per order by default; 0 turns it off', () => {
    expect(parseConfig(valid).pay.reconcileMinIntervalSeconds).toBe(5);
    expect(
      parseConfig({ ...valid, PAY_RECONCILE_MIN_INTERVAL_SECONDS: '0' }).pay.reconcileMinIntervalSeconds,
    ).toBe(0);
    expect(problemsOf({ ...valid, PAY_RECONCILE_MIN_INTERVAL_SECONDS: '-1' })[0]).toMatch(
      /^PAY_RECONCILE_MIN_INTERVAL_SECONDS/,
    );
  });
});

describe('parseConfig and the WeChat Pay client certificate', () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;
  let p12File: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wxh5-config-'));
    // Only existence and readability are checked here; createDeps reads and parses the files.
    certFile = join(dir, 'apiclient_cert.pem');
    keyFile = join(dir, 'apiclient_key.pem');
    p12File = join(dir, 'apiclient_cert.p12');
    for (const file of [certFile, keyFile, p12File]) writeFileSync(file, 'placeholder');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no certificate by default', () => {
    expect(parseConfig(valid).wechat.payCertificate).toBeUndefined();
  });

  it('takes a .p12 whose passphrase defaults to the mch_id, or a PEM certificate and key', () => {
    expect(parseConfig({ ...valid, WECHAT_PAY_CERT_P12_PATH: p12File }).wechat.payCertificate).toEqual({
      kind: 'p12',
      path: p12File,
      passphrase: '1234567890',
    });
    expect(
      parseConfig({ ...valid, WECHAT_PAY_CERT_P12_PATH: p12File, WECHAT_PAY_CERT_PASSPHRASE: 'secret' })
        .wechat.payCertificate,
    ).toMatchObject({ passphrase: 'secret' });
    expect(
      parseConfig({ ...valid, WECHAT_PAY_CERT_PATH: certFile, WECHAT_PAY_KEY_PATH: keyFile }).wechat
        .payCertificate,
    ).toEqual({ kind: 'pem', certPath: certFile, keyPath: keyFile });
  });

  it('lists a missing certificate file together with the other problems', () => {
    const missing = join(dir, 'nope.p12');
    const problems = problemsOf({ ...valid, WECHAT_PAY_KEY: 'x', WECHAT_PAY_CERT_P12_PATH: missing });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^WECHAT_PAY_KEY/);
    expect(problems[1]).toBe(`WECHAT_PAY_CERT_P12_PATH: "${missing}" does not exist`);
  });

  it('names each missing PEM file, and a directory is not a file', () => {
    const problems = problemsOf({
      ...valid,
      WECHAT_PAY_CERT_PATH: join(dir, 'missing-cert.pem'),
      WECHAT_PAY_KEY_PATH: dir,
    });
    expect(problems).toEqual([
      `WECHAT_PAY_CERT_PATH: "${join(dir, 'missing-cert.pem')}" does not exist`,
      `WECHAT_PAY_KEY_PATH: "${dir}" is not a file`,
    ]);
  });

  it('refuses half a PEM pair, both forms at once, and a passphrase without a .p12', () => {
    expect(problemsOf({ ...valid, WECHAT_PAY_CERT_PATH: certFile })).toEqual([
      expect.stringMatching(/^WECHAT_PAY_KEY_PATH: required with WECHAT_PAY_CERT_PATH/),
    ]);
    expect(problemsOf({ ...valid, WECHAT_PAY_KEY_PATH: keyFile })).toEqual([
      expect.stringMatching(/^WECHAT_PAY_CERT_PATH: required with WECHAT_PAY_KEY_PATH/),
    ]);
    expect(
      problemsOf({
        ...valid,
        WECHAT_PAY_CERT_P12_PATH: p12File,
        WECHAT_PAY_CERT_PATH: certFile,
        WECHAT_PAY_KEY_PATH: keyFile,
      }),
    ).toEqual([expect.stringMatching(/^WECHAT_PAY_CERT_P12_PATH: set either it or/)]);
    expect(problemsOf({ ...valid, WECHAT_PAY_CERT_PASSPHRASE: 'secret' })).toEqual([
      expect.stringMatching(/^WECHAT_PAY_CERT_PASSPHRASE: only meaningful with/),
    ]);
  });
});

describe('parseConfig and the JS-safe-domain verification file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wxh5-config-mp-'));
    writeFileSync(join(dir, 'MP_verify_AbC123xyz.txt'), 'AbC123xyz');
    writeFileSync(join(dir, 'MP_verify_empty.txt'), '');
    writeFileSync(join(dir, 'verify.txt'), 'AbC123xyz');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has none by default', () => {
    expect(parseConfig(valid).mpVerifyFile).toBeUndefined();
  });

  it('takes the file inline as <name>:<contents> or as the path of the downloaded file', () => {
    expect(
      parseConfig({ ...valid, WECHAT_MP_VERIFY_FILE: 'MP_verify_AbC123xyz.txt:AbC123xyz' }).mpVerifyFile,
    ).toEqual({ fileName: 'MP_verify_AbC123xyz.txt', contents: 'AbC123xyz' });
    expect(
      parseConfig({ ...valid, WECHAT_MP_VERIFY_FILE: join(dir, 'MP_verify_AbC123xyz.txt') }).mpVerifyFile,
    ).toEqual({ fileName: 'MP_verify_AbC123xyz.txt', contents: 'AbC123xyz' });
  });

  it('refuses a wrong name, empty contents and a missing file, each with its own message', () => {
    expect(problemsOf({ ...valid, WECHAT_MP_VERIFY_FILE: 'MP_verify_a/b.txt:x' })).toEqual([
      expect.stringMatching(/must be MP_verify_<token>\.txt:<contents> or the path/),
    ]);
    expect(problemsOf({ ...valid, WECHAT_MP_VERIFY_FILE: 'MP_verify_abc.html:x' })).toEqual([
      expect.stringMatching(/"MP_verify_abc\.html" is not a file name like MP_verify_<token>\.txt/),
    ]);
    expect(problemsOf({ ...valid, WECHAT_MP_VERIFY_FILE: 'MP_verify_abc.txt: ' })).toEqual([
      expect.stringMatching(/contents after "<file name>:" are empty/),
    ]);
    expect(problemsOf({ ...valid, WECHAT_MP_VERIFY_FILE: join(dir, 'verify.txt') })).toEqual([
      expect.stringMatching(/must be MP_verify_<token>\.txt:<contents> or the path of a file named/),
    ]);
    expect(problemsOf({ ...valid, WECHAT_MP_VERIFY_FILE: join(dir, 'MP_verify_empty.txt') })).toEqual([
      expect.stringMatching(/MP_verify_empty\.txt" is empty$/),
    ]);
    expect(problemsOf({ ...valid, WECHAT_MP_VERIFY_FILE: join(dir, 'MP_verify_gone.txt') })).toEqual([
      expect.stringMatching(/MP_verify_gone\.txt" does not exist$/),
    ]);
  });
});
