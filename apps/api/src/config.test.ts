import { execFileSync } from 'node:child_process';
import { KeyObject, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO } from '@wxh5/wechat-emulator/testing';
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
  WECHAT_APP_ID: DEMO.appId,
  WECHAT_APP_SECRET: DEMO.appSecret,
  WECHAT_MCH_ID: DEMO.mchId,
  WECHAT_PAY_KEY: DEMO.payKey,
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

  it('refuses SEED_DEMO_PRODUCTS with a production signal, and takes it on the emulator', () => {
    expect(problemsOf({ ...valid, SEED_DEMO_PRODUCTS: 'true' })).toEqual([
      expect.stringMatching(/^SEED_DEMO_PRODUCTS: .*PUBLIC_BASE_URL is https/),
    ]);
    expect(
      problemsOf({ ...valid, PUBLIC_BASE_URL: 'http://10.0.0.5:3000', SEED_DEMO_PRODUCTS: 'true' }),
    ).toEqual([expect.stringMatching(/^SEED_DEMO_PRODUCTS: .*WECHAT_PAY_BASE_URL is the real WeChat host/)]);
    expect(
      problemsOf({ ...valid, ...emulatorHosts, PUBLIC_BASE_URL: 'http://x', SEED_DEMO_PRODUCTS: 'maybe' }),
    ).toEqual(['SEED_DEMO_PRODUCTS: must be true or false']);
    const demoSetUp = { ...valid, ...demo, ...emulatorHosts, PUBLIC_BASE_URL: 'http://localhost:3000' };
    expect(parseConfig({ ...demoSetUp, SEED_DEMO_PRODUCTS: 'true' }).seedDemoProducts).toBe(true);
    expect(parseConfig({ ...valid, SEED_DEMO_PRODUCTS: 'false' }).seedDemoProducts).toBe(false);
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
    expect(config.seedDemoProducts).toBe(false);
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

describe('parseConfig and WeChat Pay API v3', () => {
  let dir: string;
  let v3: Record<string, string>;
  let otherKeyPath: string;
  let certPath: string;
  let certSerial: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wxh5-config-v3-'));
    const keyPath = join(dir, 'apiclient_key.pem');
    certPath = join(dir, 'apiclient_cert.pem');
    // The merchant certificate and its key, as the merchant platform's certificate tool hands them out.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=1234567890',
      ],
      { stdio: 'pipe' },
    );
    certSerial = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-serial'], { encoding: 'utf8' })
      .trim()
      .replace(/^serial=/, '');
    const publicKeyPath = join(dir, 'pub_key.pem');
    const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(publicKeyPath, wechat.publicKey.export({ type: 'spki', format: 'pem' }));
    otherKeyPath = join(dir, 'other_key.pem');
    writeFileSync(otherKeyPath, wechat.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'platform.pem'), readCert());
    mkdirSync(join(dir, 'empty'));
    v3 = {
      WECHAT_PAY_API: 'v3',
      WECHAT_PAY_MCH_PRIVATE_KEY_PATH: keyPath,
      WECHAT_PAY_MCH_CERT_SERIAL: certSerial,
      WECHAT_PAY_API_V3_KEY: 'V3ConfigKey0123456789abcdefABCDE',
      WECHAT_PAY_PUBLIC_KEY_PATH: publicKeyPath,
      WECHAT_PAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0112345678902026120200000000000001',
    };
    function readCert(): string {
      return execFileSync('openssl', ['x509', '-in', certPath], { encoding: 'utf8' });
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays on v2 by default, and v2 needs its key', () => {
    const config = parseConfig(valid);
    expect(config.wechat.payApi).toBe('v2');
    expect(config.wechat.payV3).toBeUndefined();
    const { WECHAT_PAY_KEY: _key, ...withoutKey } = valid;
    expect(problemsOf(withoutKey)).toEqual([expect.stringMatching(/^WECHAT_PAY_KEY is required/)]);
  });

  it('loads the v3 keys (public-key mode); the v2 key becomes optional and may stay', () => {
    const { WECHAT_PAY_KEY: _key, ...withoutKey } = valid;
    const config = parseConfig({ ...withoutKey, ...v3 });
    expect(config.wechat.payApi).toBe('v3');
    expect(config.wechat.payKey).toBeUndefined();
    expect(config.wechat.payV3?.merchantCertSerial).toBe(certSerial.toUpperCase());
    expect(config.wechat.payV3?.publicKey?.id).toBe(v3.WECHAT_PAY_PUBLIC_KEY_ID);
    expect(config.wechat.payV3?.platformCertificates).toBeUndefined();
    expect(parseConfig({ ...valid, ...v3 }).wechat.payKey).toBe(valid.WECHAT_PAY_KEY);
  });

  it('holds the v3 keys parsed (KeyObjects made once, here), never a private key as text to parse again', () => {
    const config = parseConfig({ ...valid, ...v3, WECHAT_PAY_PLATFORM_CERTS: join(dir, 'certs') });
    const payV3 = config.wechat.payV3;
    expect(payV3?.merchantPrivateKey).toBeInstanceOf(KeyObject);
    expect(payV3?.merchantPrivateKey.type).toBe('private');
    expect(payV3?.publicKey?.key).toBeInstanceOf(KeyObject);
    // Every string anywhere in the config: none is a private key's PEM, so nothing downstream can re-parse one.
    const strings: string[] = [];
    const walk = (value: unknown, seen: Set<unknown>) => {
      if (typeof value === 'string') strings.push(value);
      else if (value && typeof value === 'object' && !seen.has(value) && !(value instanceof KeyObject)) {
        seen.add(value);
        for (const inner of Object.values(value)) walk(inner, seen);
      }
    };
    walk(config, new Set());
    expect(strings.length).toBeGreaterThan(10);
    expect(strings.filter((text) => text.includes('PRIVATE KEY'))).toEqual([]);
  });

  it('takes platform certificates as auto or as a directory of PEM files (both with the public key = migration)', () => {
    expect(
      parseConfig({ ...valid, ...v3, WECHAT_PAY_PLATFORM_CERTS: 'auto' }).wechat.payV3?.platformCertificates,
    ).toBe('auto');
    const fromDir = parseConfig({ ...valid, ...v3, WECHAT_PAY_PLATFORM_CERTS: join(dir, 'certs') }).wechat
      .payV3;
    expect(Array.isArray(fromDir?.platformCertificates) && fromDir.platformCertificates[0]?.serialNo).toBe(
      certSerial.toUpperCase(),
    );
  });

  it('lists every missing v3 variable at once', () => {
    const problems = problemsOf({ ...valid, WECHAT_PAY_API: 'v3' });
    for (const name of [
      'WECHAT_PAY_MCH_PRIVATE_KEY_PATH',
      'WECHAT_PAY_MCH_CERT_SERIAL',
      'WECHAT_PAY_API_V3_KEY',
      'WECHAT_PAY_PUBLIC_KEY_PATH',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
    expect(problemsOf({ ...valid, WECHAT_PAY_API: 'v4' })).toEqual([
      expect.stringMatching(/^WECHAT_PAY_API: must be v2 or v3/),
    ]);
  });

  it('says in words why a key does not load, and refuses an APIv3 key that is not 32 bytes', () => {
    const problems = problemsOf({
      ...valid,
      ...v3,
      WECHAT_PAY_MCH_PRIVATE_KEY_PATH: v3.WECHAT_PAY_PUBLIC_KEY_PATH ?? '',
      WECHAT_PAY_PUBLIC_KEY_PATH: otherKeyPath,
      WECHAT_PAY_API_V3_KEY: '密钥'.repeat(8),
      WECHAT_PAY_PLATFORM_CERTS: join(dir, 'empty'),
    });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^WECHAT_PAY_API_V3_KEY: must be exactly 32 bytes/)]),
    );
    const loaded = problemsOf({
      ...valid,
      ...v3,
      WECHAT_PAY_MCH_PRIVATE_KEY_PATH: v3.WECHAT_PAY_PUBLIC_KEY_PATH ?? '',
      WECHAT_PAY_PUBLIC_KEY_PATH: otherKeyPath,
      WECHAT_PAY_PLATFORM_CERTS: join(dir, 'empty'),
    });
    expect(loaded).toEqual([
      expect.stringMatching(
        /^WECHAT_PAY_MCH_PRIVATE_KEY_PATH: .*a public key was given where the merchant private key belongs/,
      ),
      expect.stringMatching(
        /^WECHAT_PAY_PUBLIC_KEY_PATH: .*a private key was given where the WeChat Pay public key belongs/,
      ),
      expect.stringMatching(/^WECHAT_PAY_PLATFORM_CERTS: .* holds no \.pem file/),
    ]);
    expect(problemsOf({ ...valid, ...v3, WECHAT_PAY_PUBLIC_KEY_ID: undefined })).toEqual([
      expect.stringMatching(/^WECHAT_PAY_PUBLIC_KEY_ID: required with WECHAT_PAY_PUBLIC_KEY_PATH/),
    ]);
  });

  it('stops when the private key is not the merchant certificate’s, or the serial is not its serial', () => {
    expect(
      parseConfig({
        ...valid,
        ...v3,
        WECHAT_PAY_CERT_PATH: certPath,
        WECHAT_PAY_KEY_PATH: v3.WECHAT_PAY_MCH_PRIVATE_KEY_PATH,
      }).wechat.payV3,
    ).toBeDefined();
    const problems = problemsOf({
      ...valid,
      ...v3,
      WECHAT_PAY_MCH_PRIVATE_KEY_PATH: otherKeyPath,
      WECHAT_PAY_MCH_CERT_SERIAL: 'ABCDEF0123456789',
      WECHAT_PAY_CERT_PATH: certPath,
      WECHAT_PAY_KEY_PATH: v3.WECHAT_PAY_MCH_PRIVATE_KEY_PATH ?? '',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^WECHAT_PAY_MCH_CERT_SERIAL: ABCDEF0123456789 is not the serial of the merchant certificate/,
      ),
      expect.stringMatching(
        /^WECHAT_PAY_MCH_PRIVATE_KEY_PATH: .* is not the private key of the merchant certificate/,
      ),
    ]);
  });

  it('refuses the published demo APIv3 key next to the real WeChat hosts', () => {
    const problems = problemsOf({
      ...valid,
      ...v3,
      WECHAT_PAY_API_V3_KEY: 'DemoApiV3Key0123456789abcdefABCD',
    });
    expect(problems).toEqual([expect.stringMatching(/^WECHAT_PAY_API_V3_KEY: holds a published demo value/)]);
  });
});
