import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDoctorReport, runDoctor, type DoctorCheck } from '../src/doctor/run-doctor';
import { startEmulator, startTestApi, TEST_REDIS_URL, type TestApi, type TestEmulator } from './support';
import { openssl, selfSigned } from './support/self-signed';
import { registerV3TestMerchant } from './support/v3-merchant';

/**
 * `pnpm run doctor` against the emulator: a merchant of its own (not the published demo values — the config refuses
 * those with an https PUBLIC_BASE_URL), the verification file served by a real api, a real database and Redis. The
 * good configuration passes every check; each broken one fails with its own message, and only that check fails.
 */

const APP_ID = 'wx0d0c7a0b1e2f3a4b';
const APP_SECRET = 'doctor-app-secret-0123456789abcdefgh';
const WALLED_APP_ID = 'wx0d0c7a0b1e2f3a4c';
const MCH_ID = '1900000777';
const PAY_KEY = 'DoctorPayKey0123456789abcdefABCD';
const VERIFY_FILE = 'MP_verify_Doctor0123456789.txt:Doctor0123456789';

let emulator: TestEmulator;
let api: TestApi;
let dir: string;
let good: Record<string, string>;
const cert = { cert: '', key: '', otherKey: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxh5-doctor-'));
  emulator = await startEmulator();
  for (const [appId, ipWhitelist] of [
    [APP_ID, ['203.0.113.7', '127.0.0.1']],
    [WALLED_APP_ID, ['203.0.113.7']],
  ] as const) {
    await emulator.control('POST', '/__emulator/apps', {
      appId,
      appSecret: APP_SECRET,
      oauthDomains: ['h5.example.com'],
      jsDomains: ['h5.example.com'],
      ipWhitelist,
    });
  }
  await emulator.control('POST', '/__emulator/merchants', {
    mchId: MCH_ID,
    key: PAY_KEY,
    appIds: [APP_ID, WALLED_APP_ID],
  });
  const merchantPair = selfSigned(dir, 'merchant');
  cert.cert = merchantPair.cert;
  cert.key = merchantPair.key;
  cert.otherKey = selfSigned(dir, 'other').key;
  // The api that serves the verification file (the doctor fetches it through --reach, as behind a proxy).
  api = await startTestApi({ emulatorUrl: emulator.url, env: { WECHAT_MP_VERIFY_FILE: VERIFY_FILE } });
  good = {
    PUBLIC_BASE_URL: 'https://h5.example.com',
    COOKIE_KEYS: 'doctor-cookie-key-0123456789abcdefghijklmnop',
    DATABASE_URL: `sqlite:${join(dir, 'wxh5.sqlite')}`,
    REDIS_URL: TEST_REDIS_URL,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: APP_SECRET,
    WECHAT_MCH_ID: MCH_ID,
    WECHAT_PAY_KEY: PAY_KEY,
    WECHAT_OAUTH_BASE_URL: emulator.url,
    WECHAT_API_BASE_URL: emulator.url,
    WECHAT_PAY_BASE_URL: emulator.url,
    WECHAT_PAY_CERT_PATH: cert.cert,
    WECHAT_PAY_KEY_PATH: cert.key,
    WECHAT_MP_VERIFY_FILE: VERIFY_FILE,
    LOG_LEVEL: 'silent',
  };
}, 60_000);

afterAll(async () => {
  await api?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const doctor = (env: Record<string, string | undefined>, reach?: string) =>
  runDoctor(env, { reachPublicBaseUrl: reach ?? api.url, timeoutMs: 3000 });

const failures = (checks: DoctorCheck[]) => checks.filter((check) => !check.ok);

describe('pnpm run doctor', () => {
  it('passes a good configuration, every check ✓', async () => {
    const checks = await doctor(good);
    expect(failures(checks)).toEqual([]);
    expect(checks.map((check) => check.name)).toEqual([
      'configuration',
      'PUBLIC_BASE_URL and the notify URLs',
      'merchant API client certificate (v2 refunds)',
      expect.stringMatching(/^database \(SQLite at /),
      'Redis (127.0.0.1:6379)',
      'WECHAT_OAUTH_BASE_URL reachable',
      'WECHAT_API_BASE_URL reachable',
      'WECHAT_PAY_BASE_URL reachable',
      'WeChat app id + secret (stable_token)',
      `WeChat Pay v2 merchant ${MCH_ID} (a signed order query)`,
      'JS-safe-domain verification file',
    ]);
    expect(formatDoctorReport(checks)).toMatch(/all 11 checks passed$/);
  });

  /**
   * One broken variable each: [what, the change, the check that must fail first, its detail, its fix, how many checks
   * fail in all]. An app id WeChat does not know fails the merchant's query too (the merchant is not bound to it), an
   * unreachable pay host the query that goes there; everything else fails alone.
   */
  const BROKEN: [string, Record<string, string | undefined>, RegExp, RegExp, RegExp, number?][] = [
    [
      'a wrong app secret',
      { WECHAT_APP_SECRET: 'not-the-doctor-secret-0123456789abcdef' },
      /^WeChat app id \+ secret/,
      /40125: WeChat says the AppSecret is wrong/,
      /开发者密码\(AppSecret\)/,
    ],
    [
      'a server IP not on the whitelist',
      { WECHAT_APP_ID: WALLED_APP_ID },
      /^WeChat app id \+ secret/,
      /40164: this server's address 127\.0\.0\.1 is not on the Official Account's IP whitelist/,
      /add 127\.0\.0\.1 in 公众号后台 → 设置与开发 → 基本配置 → IP白名单/,
    ],
    [
      'an app id WeChat does not know',
      { WECHAT_APP_ID: 'wx0d0c7a0b1e2f3a4d' },
      /^WeChat app id \+ secret/,
      /40013: WeChat does not know the app id/,
      /开发者ID\(AppID\)/,
      2,
    ],
    [
      'a wrong v2 key',
      { WECHAT_PAY_KEY: 'WrongPayKey0123456789abcdefABCDE' },
      /^WeChat Pay v2 merchant/,
      /WeChat refused the signature: 签名错误/,
      /APIv2密钥/,
    ],
    [
      'an http PUBLIC_BASE_URL',
      { PUBLIC_BASE_URL: 'http://h5.example.com' },
      /^PUBLIC_BASE_URL/,
      /is not https/,
      /https origin of your ICP-filed domain/,
    ],
    [
      'no verification file',
      { WECHAT_MP_VERIFY_FILE: undefined },
      /^JS-safe-domain verification file$/,
      /WECHAT_MP_VERIFY_FILE is not set/,
      /MP_verify_<token>\.txt from 公众号后台/,
    ],
    [
      'another verification file than the one served',
      { WECHAT_MP_VERIFY_FILE: 'MP_verify_Other0123456789.txt:Other0123456789' },
      /^JS-safe-domain verification file$/,
      /MP_verify_Other0123456789\.txt answered HTTP 404/,
      /proxy pass \/MP_verify_\*\.txt to the api/,
    ],
    [
      'an unreachable database',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', DATABASE_CONNECT_TIMEOUT_MS: '2000' },
      /^database \(PostgreSQL at 127\.0\.0\.1:1\/test\)/,
      /unreachable or unusable: ECONNREFUSED/,
      /start the database or correct the host and port in DATABASE_URL/,
    ],
    [
      'an unreachable Redis',
      { REDIS_URL: 'redis://127.0.0.1:1' },
      /^Redis \(127\.0\.0\.1:1\)/,
      /unreachable: ECONNREFUSED/,
      /start Redis or correct REDIS_URL/,
    ],
    [
      'an unreachable WeChat Pay host',
      { WECHAT_PAY_BASE_URL: 'http://127.0.0.1:1' },
      /^WECHAT_PAY_BASE_URL reachable/,
      /http:\/\/127\.0\.0\.1:1: ECONNREFUSED/,
      /outbound firewall/,
      2,
    ],
    [
      'no client certificate',
      { WECHAT_PAY_CERT_PATH: undefined, WECHAT_PAY_KEY_PATH: undefined },
      /^merchant API client certificate/,
      /none configured: WeChat Pay v2 refuses refunds/,
      /API证书/,
    ],
  ];

  it.each(BROKEN)('fails %s with its own message', async (_what, change, check, detail, fix, failing = 1) => {
    const checks = await doctor({ ...good, ...change });
    const failed = failures(checks);
    expect(failed, formatDoctorReport(checks)).toHaveLength(failing);
    expect(failed[0]!.name).toMatch(check);
    expect(failed[0]!.detail).toMatch(detail);
    expect(failed[0]!.fix).toMatch(fix);
  });

  it('checks a v3 merchant with a signed, verified query (and v2 while its key stays configured)', async () => {
    const merchant = await registerV3TestMerchant(emulator, {
      mode: 'publicKey',
      v2Key: PAY_KEY,
      appIds: [APP_ID],
    });
    // The EC test certificate is not this merchant's RSA API certificate: left out here.
    const checks = await doctor({
      ...good,
      ...merchant.env,
      WECHAT_PAY_CERT_PATH: undefined,
      WECHAT_PAY_KEY_PATH: undefined,
    });
    const names = checks.map((check) => check.name);
    expect(names).toContain(`WeChat Pay v2 merchant ${merchant.mchId} (a signed order query)`);
    const v3 = checks.find((check) => check.name.startsWith('WeChat Pay v3 merchant'));
    expect(v3).toMatchObject({ ok: true });
    const wrongId = await doctor({
      ...good,
      ...merchant.env,
      WECHAT_PAY_CERT_PATH: undefined,
      WECHAT_PAY_KEY_PATH: undefined,
      WECHAT_PAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0100000000000000000000000000000000',
    });
    // WeChat answers with the key it has; an answer that does not verify is never believed.
    expect(wrongId.find((check) => check.name.startsWith('WeChat Pay v3 merchant'))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/Wechatpay-Serial PUB_KEY_ID_\d+ names no configured key/),
      fix: expect.stringMatching(/WECHAT_PAY_PUBLIC_KEY_PATH/),
    });
  });

  it("fails the v3 key material with its own message: a 31-byte APIv3 key, a public key as the private key, a serial that is not the certificate's", async () => {
    const merchant = await registerV3TestMerchant(emulator, { mode: 'publicKey', appIds: [APP_ID] });
    const v3 = {
      ...good,
      ...merchant.env,
      WECHAT_PAY_KEY: undefined,
      WECHAT_PAY_CERT_PATH: undefined,
      WECHAT_PAY_KEY_PATH: undefined,
    };
    const problemsOf = async (change: Record<string, string | undefined>) => {
      const checks = await doctor({ ...v3, ...change });
      expect(checks.every((check) => !check.ok && check.name.startsWith('configuration'))).toBe(true);
      return checks;
    };

    const shortKey = await problemsOf({ WECHAT_PAY_API_V3_KEY: merchant.apiV3Key.slice(0, 31) });
    expect(shortKey).toEqual([
      expect.objectContaining({
        name: 'configuration: WECHAT_PAY_API_V3_KEY',
        detail: expect.stringMatching(/32/),
      }),
    ]);

    const publicAsPrivate = await problemsOf({
      WECHAT_PAY_MCH_PRIVATE_KEY_PATH: merchant.env.WECHAT_PAY_PUBLIC_KEY_PATH,
    });
    expect(publicAsPrivate).toEqual([
      expect.objectContaining({ name: 'configuration: WECHAT_PAY_MCH_PRIVATE_KEY_PATH' }),
    ]);

    // The merchant API certificate of this private key, with a serial of its own: not the declared one.
    const certPath = join(dir, 'v3-apiclient_cert.pem');
    openssl(
      'req',
      '-x509',
      '-key',
      merchant.env.WECHAT_PAY_MCH_PRIVATE_KEY_PATH!,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=1900000777',
      '-set_serial',
      '0x1234',
    );
    const mismatch = await problemsOf({
      WECHAT_PAY_CERT_PATH: certPath,
      WECHAT_PAY_KEY_PATH: merchant.env.WECHAT_PAY_MCH_PRIVATE_KEY_PATH,
    });
    expect(mismatch.map((check) => check.detail).join('\n')).toMatch(/serial/i);
  });

  it('passes a v3-only merchant without a client certificate (mutual TLS is for v2 refunds only)', async () => {
    const merchant = await registerV3TestMerchant(emulator, { mode: 'publicKey', appIds: [APP_ID] });
    const checks = await doctor({
      ...good,
      ...merchant.env,
      WECHAT_PAY_KEY: undefined,
      WECHAT_PAY_CERT_PATH: undefined,
      WECHAT_PAY_KEY_PATH: undefined,
    });
    expect(failures(checks), formatDoctorReport(checks)).toEqual([]);
    expect(checks.map((check) => check.name)).not.toContain('merchant API client certificate (v2 refunds)');
    expect(checks.map((check) => check.name)).toContain(
      `WeChat Pay v3 merchant ${merchant.mchId} (a signed, verified order query)`,
    );
  });

  it("fails a client key that is not the certificate's, in words", async () => {
    const failed = failures(await doctor({ ...good, WECHAT_PAY_KEY_PATH: cert.otherKey }));
    expect(failed).toHaveLength(1);
    expect(failed[0]!.name).toBe('merchant API client certificate (v2 refunds)');
    expect(failed[0]!.fix).toMatch(/same download|download the API certificate again/);
  });

  it('reports every configuration problem at once and runs nothing else', async () => {
    const checks = await doctor({ ...good, WECHAT_PAY_KEY: 'short', COOKIE_KEYS: 'short' });
    expect(checks.every((check) => !check.ok && check.name.startsWith('configuration'))).toBe(true);
    expect(checks.map((check) => check.name)).toEqual(
      expect.arrayContaining(['configuration: WECHAT_PAY_KEY', 'configuration: COOKIE_KEYS']),
    );
  });

  it('prints the table and exits 1 on a ✗, 0 when all pass (the command itself)', async () => {
    const envFile = join(dir, 'doctor.env');
    const run = async (env: Record<string, string | undefined>) => {
      writeFileSync(
        envFile,
        Object.entries(env)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => `${key}=${value}`)
          .join('\n'),
      );
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', 'src/doctor/main.ts', '--env', envFile, '--reach', api.url],
          { cwd: join(import.meta.dirname, '..'), env: {} },
        );
        return { code: 0, stdout };
      } catch (err) {
        const failed = err as { code: number; stdout: string };
        return { code: failed.code, stdout: failed.stdout };
      }
    };
    const passing = await run(good);
    expect(passing.stdout).toMatch(/^✓ configuration/m);
    expect(passing.stdout).toMatch(/all 11 checks passed/);
    expect(passing.code).toBe(0);
    const failing = await run({ ...good, PUBLIC_BASE_URL: 'http://h5.example.com' });
    expect(failing.stdout).toMatch(
      /^✗ PUBLIC_BASE_URL and the notify URLs: http:\/\/h5\.example\.com is not https\n {4}→ /m,
    );
    expect(failing.stdout).toMatch(/1 of 11 checks failed/);
    expect(failing.code).toBe(1);
  }, 60_000);
});
