import { ROUTES } from '@wxh5/contracts';
import got from 'got';
import { Migrator } from 'kysely';
import { createClient } from 'redis';
import { ConfigError, parseConfig, type Config } from '../config';
import { loadPayClientCertificate } from '../create-deps';
import { createLogger } from '../logger';
import { describeUrl, errorCodeOf, errorDetailOf } from '../shared/dependency-error';
import { WechatRefusedError, WechatUnavailableError, WechatBadResponseError } from '../shared/wechat-error';
import { migrationProvider, openDatabase } from '../store/database';
import Keyv from 'keyv';
import { createInProcessLocks } from '../shared/in-process-locks';
import { createPayClientFor } from '../wechat/pay/v2/create-v2-gateway-for';
import { createV3GatewayFor } from '../wechat/pay/v3/create-v3-gateway-for';
import { ACCESS_TOKEN_ENDPOINT } from '../wechat/token-manager';
import { createWechatJsonClient } from '../wechat/wechat-http';

/**
 * `pnpm run doctor`: the pre-launch self-check, run with the production configuration. Every check says ✓ or ✗ and,
 * for a ✗, what to do in words; the command exits non-zero on any ✗. It changes nothing: no migration is applied, the
 * token call does not force a refresh (the fleet's token stays valid), the merchant checks query a made-up order.
 */
export interface DoctorCheck {
  /** What was checked, e.g. `WeChat app id + secret`. */
  name: string;
  ok: boolean;
  /** What was found (✓) or what is wrong (✗). */
  detail: string;
  /** For a ✗: what to do about it. */
  fix?: string;
}

export interface DoctorOptions {
  /**
   * Where this machine reaches PUBLIC_BASE_URL (default: PUBLIC_BASE_URL itself). Behind a proxy that only the
   * outside can reach, point it at the api directly, e.g. `http://127.0.0.1:3000`.
   */
  reachPublicBaseUrl?: string;
  /** Per network call; default 5 s. */
  timeoutMs?: number;
  /** The made-up order number the merchant checks query (default: one built from the clock). */
  probeOutTradeNo?: string;
}

const ok = (name: string, detail: string): DoctorCheck => ({ name, ok: true, detail });
const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, ok: false, detail, fix });

/** Run every check; with an invalid configuration only the configuration's problems are reported. */
export async function runDoctor(
  env: Record<string, string | undefined>,
  options: DoctorOptions = {},
): Promise<DoctorCheck[]> {
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((problem) => {
      const variable = /^([A-Z0-9_]+)/.exec(problem)?.[1];
      return fail(
        `configuration${variable ? `: ${variable}` : ''}`,
        variable ? problem.slice(variable.length).replace(/^:\s*/, '') : problem,
        variable
          ? `fix ${variable} in the environment or .env (apps/api/.env.example documents every variable)`
          : 'fix the environment or .env (apps/api/.env.example documents every variable)',
      );
    });
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const probe = options.probeOutTradeNo ?? `DOCTOR${Date.now()}`;
  const checks: DoctorCheck[] = [ok('configuration', 'every variable parses (apps/api/.env.example)')];
  checks.push(checkPublicBaseUrl(config));
  // Mutual TLS is for v2's /secapi/ refunds only: a v3-only merchant needs no client certificate.
  if (config.wechat.payKey !== undefined || config.wechat.payCertificate) {
    checks.push(checkClientCertificate(config));
  }
  checks.push(await checkDatabase(config));
  if (config.redisUrl) checks.push(await checkRedis(config.redisUrl, timeoutMs));
  checks.push(...(await checkWechatHosts(config, timeoutMs)));
  checks.push(await checkAppCredentials(config, timeoutMs));
  // v2 while its key is configured (with v3 too: the live switch keeps v2 orders on v2), v3 when chosen.
  if (config.wechat.payKey !== undefined) checks.push(await checkV2Merchant(config, probe));
  if (config.wechat.payV3) checks.push(await checkV3Merchant(config, probe));
  checks.push(
    await checkVerificationFile(config, options.reachPublicBaseUrl ?? config.publicBaseUrl, timeoutMs),
  );
  return checks;
}

function checkPublicBaseUrl(config: Config): DoctorCheck {
  const name = 'PUBLIC_BASE_URL and the notify URLs';
  const url = new URL(config.publicBaseUrl);
  const notifyUrls = [ROUTES.payCallback, ROUTES.refundCallback].map(
    (path) => `${config.publicBaseUrl}${path}`,
  );
  if (url.protocol !== 'https:') {
    return fail(
      name,
      `${config.publicBaseUrl} is not https`,
      'WeChat Pay sends notifies only to https URLs and WeChat opens the H5 over https: set PUBLIC_BASE_URL to the ' +
        'https origin of your ICP-filed domain (TLS terminated by your proxy is fine)',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    return fail(
      name,
      `${config.publicBaseUrl} has a query or fragment, so the notify URLs would carry it`,
      'WeChat Pay refuses a notify_url with a query string: remove everything after the path from PUBLIC_BASE_URL',
    );
  }
  return ok(name, `https; notifies go to ${notifyUrls.join(' and ')}`);
}

/** OpenSSL 3 refuses the RC2-40 encryption of the apiclient_cert.p12 files the merchant platform still hands out. */
function explainCertificateError(message: string): string {
  if (/unsupported|RC2|mac verify|Unsupported PKCS12/i.test(message)) {
    return (
      'OpenSSL 3 (Node 17+) cannot read the legacy RC2-40 encryption of apiclient_cert.p12 ("unsupported"): convert ' +
      'it once with `openssl pkcs12 -legacy -in apiclient_cert.p12 -nodes -out apiclient.pem` (passphrase: the mch_id) ' +
      'or use the apiclient_cert.pem + apiclient_key.pem from the same download: WECHAT_PAY_CERT_PATH + WECHAT_PAY_KEY_PATH'
    );
  }
  if (/passphrase|bad decrypt|mac/i.test(message)) {
    return 'the passphrase is wrong: WeChat protects apiclient_cert.p12 with the mch_id (WECHAT_PAY_CERT_PASSPHRASE)';
  }
  if (/key values mismatch|does not match/i.test(message)) {
    return "the key is not the certificate's: take apiclient_cert.pem and apiclient_key.pem from the same download";
  }
  return 'download the API certificate again (商户平台 → 账户中心 → API安全 → API证书) and point the variables at it';
}

function checkClientCertificate(config: Config): DoctorCheck {
  const name = 'merchant API client certificate (v2 refunds)';
  if (!config.wechat.payCertificate) {
    return fail(
      name,
      'none configured: WeChat Pay v2 refuses refunds (/secapi/) without it',
      'download apiclient_cert.p12 (商户平台 → 账户中心 → API安全 → API证书) and set WECHAT_PAY_CERT_P12_PATH, or the ' +
        'PEM pair WECHAT_PAY_CERT_PATH + WECHAT_PAY_KEY_PATH',
    );
  }
  try {
    loadPayClientCertificate(config);
    return ok(name, 'loads, and TLS accepts the key with the certificate');
  } catch (err) {
    const message = errorDetailOf(err);
    return fail(name, message, explainCertificateError(message));
  }
}

async function checkDatabase(config: Config): Promise<DoctorCheck> {
  const target = config.databaseUrl.startsWith('sqlite:')
    ? `SQLite at ${config.databaseUrl.slice('sqlite:'.length)}`
    : `PostgreSQL at ${describeUrl(config.databaseUrl, 5432)}`;
  const name = `database (${target})`;
  const handle = openDatabase(config.databaseUrl, {
    statementTimeoutMs: config.database.statementTimeoutMs,
    connectTimeoutMs: config.database.connectTimeoutMs,
  });
  try {
    const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
    const migrations = await migrator.getMigrations();
    const pending = migrations.filter((migration) => migration.executedAt === undefined);
    return ok(
      name,
      pending.length === 0
        ? `reachable; all ${migrations.length} migrations applied`
        : `reachable; ${migrations.length - pending.length} of ${migrations.length} migrations applied, ` +
            `${pending.map((m) => m.name).join(', ')} will be applied at start-up`,
    );
  } catch (err) {
    const code = errorCodeOf(err);
    return fail(
      name,
      `unreachable or unusable: ${code ? `${code} ` : ''}${errorDetailOf(err)}`,
      code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT'
        ? 'start the database or correct the host and port in DATABASE_URL; check the firewall between this host and it'
        : 'check DATABASE_URL (user, password, database name) and that this user may create tables',
    );
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function checkRedis(url: string, timeoutMs: number): Promise<DoctorCheck> {
  const name = `Redis (${describeUrl(url, 6379)})`;
  const client = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return ok(name, 'reachable (PING answered)');
  } catch (err) {
    return fail(
      name,
      `unreachable: ${errorCodeOf(err) ?? ''} ${errorDetailOf(err)}`.trim(),
      'start Redis or correct REDIS_URL; every instance of a fleet needs the same one',
    );
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** One GET, no retries or redirects, any status answered (a reachability probe, not an API call). */
function getOnce(url: string, timeoutMs: number) {
  return got(url, {
    timeout: { request: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
  });
}

async function checkWechatHosts(config: Config, timeoutMs: number): Promise<DoctorCheck[]> {
  const hosts = [
    ['WECHAT_OAUTH_BASE_URL', config.wechat.oauthBaseUrl],
    ['WECHAT_API_BASE_URL', config.wechat.apiBaseUrl],
    ['WECHAT_PAY_BASE_URL', config.wechat.payBaseUrl],
  ] as const;
  // Any HTTP answer means the host resolves and accepts connections from here.
  return Promise.all(
    hosts.map(async ([variable, url]): Promise<DoctorCheck> => {
      const name = `${variable} reachable`;
      try {
        const response = await getOnce(url, timeoutMs);
        return ok(name, `${url} answered HTTP ${response.statusCode}`);
      } catch (err) {
        return fail(
          name,
          `${url}: ${errorCodeOf(err) ?? ''} ${errorDetailOf(err)}`.trim(),
          'this host must reach WeChat over https: check DNS and the outbound firewall / proxy',
        );
      }
    }),
  );
}

async function checkAppCredentials(config: Config, timeoutMs: number): Promise<DoctorCheck> {
  const name = 'WeChat app id + secret (stable_token)';
  const client = createWechatJsonClient({ baseUrl: config.wechat.apiBaseUrl, timeoutMs, retries: 0 });
  try {
    // force_refresh false: answers the token the fleet already uses, never a new one.
    await client.post(
      ACCESS_TOKEN_ENDPOINT,
      {},
      {
        grant_type: 'client_credential',
        appid: config.wechat.appId,
        secret: config.wechat.appSecret,
        force_refresh: false,
      },
    );
    return ok(name, `${config.wechat.appId} accepted: an access_token was issued`);
  } catch (err) {
    if (err instanceof WechatRefusedError) {
      const ip = /invalid ip (\S+)/.exec(err.detail)?.[1];
      switch (err.errcode) {
        case 40164:
          return fail(
            name,
            `40164: this server's address${ip ? ` ${ip}` : ''} is not on the Official Account's IP whitelist`,
            `add ${ip ?? "the server's public egress IP"} in 公众号后台 → 设置与开发 → 基本配置 → IP白名单 (every ` +
              "instance's egress address)",
          );
        case 40125:
        case 40001:
          return fail(
            name,
            `${err.code}: WeChat says the AppSecret is wrong`,
            'copy WECHAT_APP_SECRET again from 公众号后台 → 设置与开发 → 基本配置 → 开发者密码(AppSecret); resetting it ' +
              'there invalidates the old one everywhere',
          );
        case 40013:
          return fail(
            name,
            `40013: WeChat does not know the app id ${config.wechat.appId}`,
            "WECHAT_APP_ID is the Official Account's 开发者ID(AppID) (wx + 16 hex), not the mch_id or a mini program's",
          );
        default:
          return fail(
            name,
            `${err.code}: ${err.detail}`,
            "look the errcode up in WeChat's global error codes",
          );
      }
    }
    return fail(name, errorDetailOf(err), unavailableFix(err));
  }
}

async function checkV2Merchant(config: Config, probe: string): Promise<DoctorCheck> {
  const name = `WeChat Pay v2 merchant ${config.wechat.mchId} (a signed order query)`;
  const client = createPayClientFor({ config, logger: createLogger('silent') }, { maxAttempts: 1 });
  try {
    await client.orderQuery(probe);
    return fail(name, `WeChat knows the made-up order ${probe}`, 'run the doctor again (a number clash)');
  } catch (err) {
    if (err instanceof WechatRefusedError) {
      if (err.code === 'ORDERNOTEXIST') {
        return ok(
          name,
          `mch_id, app id and WECHAT_PAY_KEY accepted (a made-up order answered ORDERNOTEXIST)`,
        );
      }
      if (/签名错误|sign/i.test(err.detail)) {
        return fail(
          name,
          `WeChat refused the signature: ${err.detail}`,
          "WECHAT_PAY_KEY is not this merchant's APIv2 key: set it again in 商户平台 → 账户中心 → API安全 → APIv2密钥 " +
            `and copy the same 32 characters here; check WECHAT_PAY_SIGN_TYPE (${config.wechat.paySignType})`,
        );
      }
      if (/mch_id|appid|商户号|APPID/i.test(`${err.code} ${err.detail}`)) {
        return fail(
          name,
          `${err.code}: ${err.detail}`,
          'WECHAT_MCH_ID must be the merchant bound to WECHAT_APP_ID (商户平台 → 产品中心 → AppID账号管理)',
        );
      }
      return fail(name, `${err.code}: ${err.detail}`, "see WeChat Pay's error code list for this code");
    }
    if (err instanceof WechatBadResponseError) {
      return fail(
        name,
        errorDetailOf(err),
        "the answer did not verify with WECHAT_PAY_KEY: the key (or WECHAT_PAY_SIGN_TYPE) is not the merchant's",
      );
    }
    return fail(name, errorDetailOf(err), unavailableFix(err));
  }
}

async function checkV3Merchant(config: Config, probe: string): Promise<DoctorCheck> {
  const name = `WeChat Pay v3 merchant ${config.wechat.mchId} (a signed, verified order query)`;
  const v3 = config.wechat.payV3;
  if (!v3) return fail(name, 'WECHAT_PAY_API is not v3', 'set WECHAT_PAY_API=v3');
  const gateway = createV3GatewayFor(
    {
      config,
      logger: createLogger('silent'),
      cache: new Keyv(),
      locks: createInProcessLocks(),
      now: Date.now,
    },
    v3,
    { maxAttempts: 1 },
  );
  try {
    const answer = await gateway.queryOrder(probe);
    if (answer.state === 'unknown') {
      return ok(
        name,
        'signature, serial, and the answer verified with the configured WeChat Pay key (a made-up order: not found)',
      );
    }
    return fail(name, `WeChat knows the made-up order ${probe}`, 'run the doctor again (a number clash)');
  } catch (err) {
    if (err instanceof WechatRefusedError) {
      const fixes: Record<string, string> = {
        SIGN_ERROR:
          'WECHAT_PAY_MCH_PRIVATE_KEY_PATH / WECHAT_PAY_MCH_CERT_SERIAL are not the API certificate WeChat knows ' +
          '(账户中心 → API安全 → API证书: the serial shown there, and the apiclient_key.pem downloaded with it)',
        INVALID_REQUEST:
          'Wechatpay-Serial was refused: WECHAT_PAY_PUBLIC_KEY_ID must be the ID shown next to the public key in ' +
          '账户中心 → API安全 → 微信支付公钥',
        RESOURCE_NOT_EXISTS:
          'no platform certificate for this merchant: configure WECHAT_PAY_PUBLIC_KEY_PATH + WECHAT_PAY_PUBLIC_KEY_ID',
      };
      return fail(name, `${err.code}: ${err.detail}`, fixes[err.code] ?? "see WeChat Pay's v3 error codes");
    }
    if (err instanceof WechatBadResponseError) {
      return fail(
        name,
        errorDetailOf(err),
        'the answer did not verify: WECHAT_PAY_PUBLIC_KEY_PATH / WECHAT_PAY_PLATFORM_CERTS are not this merchant’s',
      );
    }
    return fail(name, errorDetailOf(err), unavailableFix(err));
  }
}

async function checkVerificationFile(config: Config, reach: string, timeoutMs: number): Promise<DoctorCheck> {
  const name = 'JS-safe-domain verification file';
  const file = config.mpVerifyFile;
  if (!file) {
    return fail(
      name,
      'WECHAT_MP_VERIFY_FILE is not set: WeChat will not accept the JS-safe and OAuth domains',
      'download MP_verify_<token>.txt from 公众号后台 → 设置与开发 → 公众号设置 → 功能设置 and set ' +
        'WECHAT_MP_VERIFY_FILE to its path (or MP_verify_<token>.txt:<contents>)',
    );
  }
  const url = `${reach.replace(/\/+$/, '')}/${file.fileName}`;
  try {
    const response = await getOnce(url, timeoutMs);
    if (response.statusCode === 200 && response.body === file.contents) {
      return ok(name, `${url} serves ${file.fileName}`);
    }
    return fail(
      name,
      `${url} answered HTTP ${response.statusCode}${response.statusCode === 200 ? ' with other contents' : ''}`,
      'WeChat fetches the file from the domain root: let the proxy pass /MP_verify_*.txt to the api (or serve the ' +
        'same file there)',
    );
  } catch (err) {
    return fail(
      name,
      `${url}: ${errorCodeOf(err) ?? ''} ${errorDetailOf(err)}`.trim(),
      'start the api behind PUBLIC_BASE_URL first (or pass --reach http://127.0.0.1:<PORT> to check the api directly)',
    );
  }
}

function unavailableFix(err: unknown): string {
  if (err instanceof WechatUnavailableError) {
    return 'WeChat did not answer in time: check the network from this host and run the doctor again';
  }
  return 'see the detail; run the doctor again once fixed';
}

/** The report as a table: one row a check, ✓/✗, the detail and, for a ✗, the fix. */
export function formatDoctorReport(checks: readonly DoctorCheck[]): string {
  const lines = checks.map((check) =>
    check.ok
      ? `✓ ${check.name}: ${check.detail}`
      : `✗ ${check.name}: ${check.detail}\n    → ${check.fix ?? 'see the detail'}`,
  );
  const failed = checks.filter((check) => !check.ok).length;
  lines.push(
    '',
    failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`,
  );
  return lines.join('\n');
}
