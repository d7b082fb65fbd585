import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  KeyLoadError,
  loadMerchantPrivateKey,
  loadPlatformCertificate,
  loadWechatpayPublicKey,
  type PlatformCertificate,
} from '@wxh5/wechat-core';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { DEMO_SECRET_VALUES, isRealWechatHost } from './demo-secrets';

/**
 * The api's configuration: parsed and validated once at start-up, then passed down. This is the only module
 * that looks at the environment (see `readEnvironment`); everything else receives a `Config`.
 */

const secret = (name: string, minLength: number) =>
  z
    .string({ error: `${name} is required` })
    .min(minLength, `${name} must be at least ${minLength} characters`);

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_BASE_URL: baseUrl,
  COOKIE_KEYS: z
    .string({ error: 'COOKIE_KEYS is required' })
    .transform((value) => value.split(',').map((key) => key.trim()))
    .pipe(z.array(z.string().min(32, 'each cookie key must be at least 32 characters')).min(1)),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<file> or postgres://…')
    .default('sqlite:./data/wxh5.sqlite'),
  CACHE_MAX_MB: positiveInt(64),
  RATE_LIMIT_REDIRECT_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  NOTIFY_REFUSAL_SAMPLES_PER_HOUR: z.coerce.number().int().min(0).default(60),
  STARTUP_RETRY_SECONDS: z.coerce.number().int().min(0).default(30),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
  WECHAT_APP_ID: z
    .string({ error: 'WECHAT_APP_ID is required' })
    .regex(/^wx[0-9a-f]{16}$/, 'must look like wx + 16 hex'),
  WECHAT_APP_SECRET: secret('WECHAT_APP_SECRET', 32),
  WECHAT_MCH_ID: z.string({ error: 'WECHAT_MCH_ID is required' }).regex(/^\d{6,32}$/, 'must be digits'),
  // Required for API v2 (checked in parseConfig); with v3 it may stay set so v2 orders keep verifying.
  WECHAT_PAY_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
  WECHAT_PAY_API: z.enum(['v2', 'v3'], { error: 'must be v2 or v3' }).default('v2'),
  WECHAT_PAY_MCH_PRIVATE_KEY_PATH: z.string().min(1).optional(),
  WECHAT_PAY_MCH_CERT_SERIAL: z
    .string()
    .regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the merchant API certificate serial (hex)')
    .optional(),
  // Bytes, not characters: AES-256 takes exactly 32 bytes (a non-ASCII character is more than one).
  WECHAT_PAY_API_V3_KEY: z
    .string()
    .refine((value) => Buffer.byteLength(value, 'utf8') === 32, 'must be exactly 32 bytes')
    .optional(),
  WECHAT_PAY_PUBLIC_KEY_PATH: z.string().min(1).optional(),
  WECHAT_PAY_PUBLIC_KEY_ID: z
    .string()
    .regex(/^PUB_KEY_ID_\w+$/, 'must look like PUB_KEY_ID_0114232134912410000000000000')
    .optional(),
  WECHAT_PAY_PLATFORM_CERTS: z.string().min(1).optional(),
  WECHAT_PAY_SIGN_TYPE: z.enum(['MD5', 'HMAC-SHA256']).default('HMAC-SHA256'),
  WECHAT_OAUTH_BASE_URL: baseUrl.default('https://open.weixin.qq.com'),
  WECHAT_API_BASE_URL: baseUrl.default('https://api.weixin.qq.com'),
  WECHAT_PAY_BASE_URL: baseUrl.default('https://api.mch.weixin.qq.com'),
  WECHAT_TIMEOUT_MS: positiveInt(5000),
  ALLOWED_CALLBACK_ORIGINS: z.string().optional(),
  WECHAT_BRIDGE_SCRIPT_URL: z.url({ protocol: /^https?$/ }).optional(),
  TRUST_PROXY: booleanString.default(false),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  ADMIN_TOKEN: z.string().min(32, 'ADMIN_TOKEN must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  H5_DIST_DIR: z.string().min(1).optional(),
  ORDER_EXPIRE_MINUTES: positiveInt(30),
  PAY_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  PAY_RECONCILE_AFTER_SECONDS: positiveInt(10),
  PAY_RECONCILE_MIN_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(5),
  PAY_SWEEP_RECHECK_SECONDS: z.coerce.number().int().min(0).default(300),
  WECHAT_PAY_CERT_P12_PATH: z.string().min(1).optional(),
  WECHAT_PAY_CERT_PASSPHRASE: z.string().min(1).optional(),
  WECHAT_PAY_CERT_PATH: z.string().min(1).optional(),
  WECHAT_PAY_KEY_PATH: z.string().min(1).optional(),
  WECHAT_MP_VERIFY_FILE: z.string().min(1).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  SEED_DEMO_PRODUCTS: booleanString.default(false),
});

export interface Config {
  port: number;
  host: string;
  publicBaseUrl: string;
  /** First signs, all verify (rotation). */
  cookieKeys: string[];
  /** True when PUBLIC_BASE_URL is https: cookies get `Secure`. */
  secureCookies: boolean;
  databaseUrl: string;
  database: {
    /** PostgreSQL: statement_timeout (and the idle-in-transaction bound); a longer statement fails with 503. */
    statementTimeoutMs: number;
    /** PostgreSQL: how long to wait for a connection before answering 503. */
    connectTimeoutMs: number;
  };
  redisUrl: string | undefined;
  limits: {
    /** In-process cache only (no REDIS_URL): the most it holds, in bytes; least recently used entries go first. */
    cacheMaxBytes: number;
    /** `GET /api/wechat/redirect` per client IP per minute; 0 = no limit. */
    redirectPerMinute: number;
    /**
     * Notifies refused before verification: per source, kind and hour this many keep an audit row (body prefix,
     * size, SHA-256); the rest are only counted (notify_refusals).
     */
    notifyRefusalSamplesPerHour: number;
  };
  /** How long start-up keeps retrying an unreachable database or Redis before exiting non-zero. */
  startUpRetrySeconds: number;
  wechat: {
    appId: string;
    appSecret: string;
    mchId: string;
    /** Which protocol new orders are placed with. */
    payApi: 'v2' | 'v3';
    /** The API v2 key; unset with v3 only (then no v2 gateway: v2 orders and v2 notifies are not served). */
    payKey: string | undefined;
    paySignType: 'MD5' | 'HMAC-SHA256';
    /** API v3 material, loaded and checked at start-up; unset unless WECHAT_PAY_API=v3. */
    payV3: PayV3Config | undefined;
    oauthBaseUrl: string;
    apiBaseUrl: string;
    payBaseUrl: string;
    timeoutMs: number;
    /**
     * Where the merchant's API client certificate is (mutual TLS on `/secapi/pay/refund`); the files are read once
     * by `createDeps`. Unset = no certificate (fine against the emulator, refused by the real WeChat Pay).
     */
    payCertificate: PayCertificateConfig | undefined;
  };
  /** Origins (scheme://host[:port]) that OAuth `callback` and JS-SDK `url` may use. */
  allowedOrigins: string[];
  bridgeScriptUrl: string | undefined;
  trustProxy: boolean;
  /** With trustProxy: how many proxies append to X-Forwarded-For; the client is that many entries from the right. */
  trustProxyHops: number;
  adminToken: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the built H5 lives; unset = the api does not serve it. */
  h5DistDir: string | undefined;
  /** The JS-safe-domain / OAuth-domain verification file served at `/<fileName>`; unset = none. */
  mpVerifyFile: MpVerifyFile | undefined;
  /**
   * Insert the demo's products (course, vip-month, tip) at start-up where absent: the demo, dev:backend, e2e and
   * tests. Refused with a production signal (a production database must not sell them).
   */
  seedDemoProducts: boolean;
  /** Where `GET /metrics` listens (its own port, not the public one); unset port = no metrics listener. */
  metrics: { port: number | undefined; host: string };
  pay: {
    orderExpireMinutes: number;
    /** 0 disables the background sweep. */
    sweepIntervalSeconds: number;
    /** A PENDING order older than this is queried at WeChat before it is answered or swept. */
    reconcileAfterSeconds: number;
    /** At most one status-route orderquery per order per this many seconds, fleet-wide; 0 = no throttle. */
    reconcileMinIntervalSeconds: number;
    /** The sweep asks WeChat about one order or refund at most once per this many seconds (0 = every pass). */
    sweepRecheckSeconds: number;
  };
}

/**
 * API v3: the merchant's signing key (apiclient_key.pem) and its certificate serial, the APIv3 key (decrypts
 * notifies and /v3/certificates), and what verifies WeChat — its public key (public-key mode), its platform
 * certificates (downloaded: `auto`, or fixed files), or both (the migration: `Wechatpay-Serial` picks).
 */
export interface PayV3Config {
  merchantPrivateKey: KeyObject;
  merchantCertSerial: string;
  apiV3Key: string;
  publicKey: { id: string; key: KeyObject } | undefined;
  platformCertificates: 'auto' | PlatformCertificate[] | undefined;
}

/** The merchant API client certificate: a PKCS#12 file (WeChat's `apiclient_cert.p12`) or a PEM cert + key pair. */
export type PayCertificateConfig =
  { kind: 'p12'; path: string; passphrase: string } | { kind: 'pem'; certPath: string; keyPath: string };

/** WeChat's domain verification file: `MP_verify_<token>.txt`, whose whole content is the token. */
export interface MpVerifyFile {
  fileName: string;
  contents: string;
}

const MP_VERIFY_FILE_NAME = /^MP_verify_[A-Za-z0-9_-]{1,64}\.txt$/;

/**
 * `WECHAT_MP_VERIFY_FILE` is either `MP_verify_<token>.txt:<contents>` (inline, handy in an env file) or the path of
 * the file downloaded from the Official Account console (read here, once).
 */
function mpVerifyFileOf(value: string | undefined, problems: string[]): MpVerifyFile | undefined {
  if (value === undefined) return undefined;
  const inline = /^(MP_verify_[^/:]*):(.*)$/s.exec(value);
  if (inline) {
    const [, fileName = '', contents = ''] = inline;
    if (!MP_VERIFY_FILE_NAME.test(fileName)) {
      problems.push(`WECHAT_MP_VERIFY_FILE: "${fileName}" is not a file name like MP_verify_<token>.txt`);
      return undefined;
    }
    if (contents.trim() === '') {
      problems.push('WECHAT_MP_VERIFY_FILE: the contents after "<file name>:" are empty');
      return undefined;
    }
    return { fileName, contents };
  }
  const fileName = basename(value);
  if (!MP_VERIFY_FILE_NAME.test(fileName)) {
    problems.push(
      `WECHAT_MP_VERIFY_FILE: "${value}" must be MP_verify_<token>.txt:<contents> or the path of a file named ` +
        'MP_verify_<token>.txt (WeChat fetches it under that exact name)',
    );
    return undefined;
  }
  const problem = unreadableFile('WECHAT_MP_VERIFY_FILE', value);
  if (problem) {
    problems.push(problem);
    return undefined;
  }
  const contents = readFileSync(value, 'utf8');
  if (contents.trim() === '') {
    problems.push(`WECHAT_MP_VERIFY_FILE: "${value}" is empty`);
    return undefined;
  }
  return { fileName, contents };
}

function keyProblem(variable: string, path: string, err: unknown): string {
  const why = err instanceof KeyLoadError ? err.message : `cannot be read (${(err as Error).message})`;
  return `${variable}: "${path}": ${why}`;
}

/** Every `*.pem` of a directory as a platform certificate (WeChat's, downloaded once by the merchant). */
function platformCertificatesIn(dir: string, problems: string[]): PlatformCertificate[] | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.pem'));
  } catch (err) {
    problems.push(
      `WECHAT_PAY_PLATFORM_CERTS: "${dir}" is neither "auto" nor a readable directory of PEM files (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
  if (names.length === 0) {
    problems.push(`WECHAT_PAY_PLATFORM_CERTS: "${dir}" holds no .pem file`);
    return undefined;
  }
  const certificates: PlatformCertificate[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    try {
      certificates.push(loadPlatformCertificate(readFileSync(path)));
    } catch (err) {
      problems.push(keyProblem('WECHAT_PAY_PLATFORM_CERTS', path, err));
    }
  }
  return certificates;
}

/** DER of a public key, to compare two keys. */
function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * The API v3 block (WECHAT_PAY_API=v3): every variable present, every file loaded — a key that does not load, or a
 * private key that is not the one of the merchant certificate (when WECHAT_PAY_CERT_PATH gives it), is a problem
 * in words. Undefined (with problems) when something is missing.
 */
function payV3Of(env: Record<string, string | undefined>, problems: string[]): PayV3Config | undefined {
  if (env['WECHAT_PAY_API'] !== 'v3') return undefined;
  const before = problems.length;
  const need = (name: string, why: string) => {
    const value = env[name];
    if (value === undefined) problems.push(`${name}: required with WECHAT_PAY_API=v3 (${why})`);
    return value;
  };
  const keyPath = need('WECHAT_PAY_MCH_PRIVATE_KEY_PATH', 'apiclient_key.pem, signs every request');
  const serial = need('WECHAT_PAY_MCH_CERT_SERIAL', 'the serial of apiclient_cert.pem');
  const apiV3Key = need('WECHAT_PAY_API_V3_KEY', 'the APIv3 key set in 账户中心 → API安全');
  const publicKeyPath = env['WECHAT_PAY_PUBLIC_KEY_PATH'];
  const publicKeyId = env['WECHAT_PAY_PUBLIC_KEY_ID'];
  const certs = env['WECHAT_PAY_PLATFORM_CERTS'];
  if ((publicKeyPath === undefined) !== (publicKeyId === undefined)) {
    problems.push(
      publicKeyPath === undefined
        ? 'WECHAT_PAY_PUBLIC_KEY_PATH: required with WECHAT_PAY_PUBLIC_KEY_ID (pub_key.pem and its ID go together)'
        : 'WECHAT_PAY_PUBLIC_KEY_ID: required with WECHAT_PAY_PUBLIC_KEY_PATH (pub_key.pem and its ID go together)',
    );
  }
  if (publicKeyPath === undefined && certs === undefined) {
    problems.push(
      'WECHAT_PAY_PUBLIC_KEY_PATH: WeChat must be verified with something: set WECHAT_PAY_PUBLIC_KEY_PATH + ' +
        'WECHAT_PAY_PUBLIC_KEY_ID (public-key mode), WECHAT_PAY_PLATFORM_CERTS=auto|<dir> (certificate mode), or both',
    );
  }
  let merchantPrivateKey: KeyObject | undefined;
  if (keyPath !== undefined) {
    try {
      merchantPrivateKey = loadMerchantPrivateKey(readFileSync(keyPath));
    } catch (err) {
      problems.push(keyProblem('WECHAT_PAY_MCH_PRIVATE_KEY_PATH', keyPath, err));
    }
  }
  let publicKey: PayV3Config['publicKey'];
  if (publicKeyPath !== undefined) {
    try {
      const key = loadWechatpayPublicKey(readFileSync(publicKeyPath));
      if (publicKeyId !== undefined) publicKey = { id: publicKeyId, key };
    } catch (err) {
      problems.push(keyProblem('WECHAT_PAY_PUBLIC_KEY_PATH', publicKeyPath, err));
    }
  }
  const platformCertificates =
    certs === undefined ? undefined : certs === 'auto' ? 'auto' : platformCertificatesIn(certs, problems);
  // The merchant certificate, when given (WECHAT_PAY_CERT_PATH, the PEM of apiclient_cert.pem): its serial must be
  // the declared one, and its key the private key's other half — else every request answers 401 SIGN_ERROR.
  const certPath = env['WECHAT_PAY_CERT_PATH'];
  if (certPath !== undefined && merchantPrivateKey && serial !== undefined) {
    try {
      const cert = new X509Certificate(readFileSync(certPath));
      if (cert.serialNumber.toUpperCase() !== serial.toUpperCase()) {
        problems.push(
          `WECHAT_PAY_MCH_CERT_SERIAL: ${serial} is not the serial of the merchant certificate ${certPath} ` +
            `(${cert.serialNumber.toUpperCase()})`,
        );
      }
      if (!spki(cert.publicKey).equals(spki(createPublicKey(merchantPrivateKey)))) {
        problems.push(
          `WECHAT_PAY_MCH_PRIVATE_KEY_PATH: "${keyPath ?? ''}" is not the private key of the merchant certificate ` +
            `${certPath}: use the apiclient_key.pem downloaded with that certificate`,
        );
      }
    } catch {
      // An unreadable certificate is reported by the certificate check (payCertificateOf).
    }
  }
  if (problems.length > before || !merchantPrivateKey || serial === undefined || apiV3Key === undefined) {
    return undefined;
  }
  return {
    merchantPrivateKey,
    merchantCertSerial: serial.toUpperCase(),
    apiV3Key,
    publicKey,
    platformCertificates,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `problem` for a path that is not a readable file, else undefined. */
function unreadableFile(variable: string, path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${variable}: "${path}" is not a file`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `${variable}: "${path}" does not exist`
      : `${variable}: "${path}" is not readable (${code ?? 'error'})`;
  }
}

/** Which certificate variables are set, checked together: one form, complete, every file readable. */
function payCertificateOf(
  env: Record<string, string | undefined>,
  problems: string[],
): PayCertificateConfig | undefined {
  const p12 = env['WECHAT_PAY_CERT_P12_PATH'];
  const cert = env['WECHAT_PAY_CERT_PATH'];
  const key = env['WECHAT_PAY_KEY_PATH'];
  const passphrase = env['WECHAT_PAY_CERT_PASSPHRASE'];
  const checkFiles = (entries: [string, string][]) => {
    for (const [variable, path] of entries) {
      const problem = unreadableFile(variable, path);
      if (problem) problems.push(problem);
    }
  };
  if (p12 !== undefined) {
    if (cert !== undefined || key !== undefined) {
      problems.push(
        'WECHAT_PAY_CERT_P12_PATH: set either it or WECHAT_PAY_CERT_PATH + WECHAT_PAY_KEY_PATH, not both',
      );
      return undefined;
    }
    checkFiles([['WECHAT_PAY_CERT_P12_PATH', p12]]);
    // WeChat's apiclient_cert.p12 is protected with the merchant id.
    return { kind: 'p12', path: p12, passphrase: passphrase ?? env['WECHAT_MCH_ID'] ?? '' };
  }
  if (passphrase !== undefined) {
    problems.push('WECHAT_PAY_CERT_PASSPHRASE: only meaningful with WECHAT_PAY_CERT_P12_PATH');
  }
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    problems.push(
      cert === undefined
        ? 'WECHAT_PAY_CERT_PATH: required with WECHAT_PAY_KEY_PATH (the PEM certificate and its key go together)'
        : 'WECHAT_PAY_KEY_PATH: required with WECHAT_PAY_CERT_PATH (the PEM certificate and its key go together)',
    );
    return undefined;
  }
  checkFiles([
    ['WECHAT_PAY_CERT_PATH', cert],
    ['WECHAT_PAY_KEY_PATH', key],
  ]);
  return { kind: 'pem', certPath: cert, keyPath: key };
}

function originOf(value: string, variable: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.origin;
  } catch {
    throw new ConfigError([`${variable}: "${value}" is not an http(s) origin`]);
  }
}

/**
 * With a production signal (an https PUBLIC_BASE_URL or any of the real WeChat hosts), every variable that still
 * holds a published demo value — or the emulator's bridge script — is a problem, each named: sessions signed with a
 * key from `.env.example` can be forged by anyone.
 */
function demoSecretProblems(
  env: z.infer<typeof envSchema>,
  raw: Record<string, string | undefined>,
): string[] {
  const signals = [
    ...(env.PUBLIC_BASE_URL.startsWith('https:') ? ['PUBLIC_BASE_URL is https'] : []),
    ...(['WECHAT_OAUTH_BASE_URL', 'WECHAT_API_BASE_URL', 'WECHAT_PAY_BASE_URL'] as const)
      .filter((name) => isRealWechatHost(env[name]))
      .map((name) => `${name} is the real WeChat host`),
  ];
  if (signals.length === 0) return [];
  const why = `not allowed with a production set-up (${signals.join(', ')})`;
  const problems: string[] = [];
  for (const [variable, published] of Object.entries(DEMO_SECRET_VALUES)) {
    const values = (raw[variable] ?? '').split(',').map((value) => value.trim());
    if (values.some((value) => published.includes(value))) {
      problems.push(`${variable}: holds a published demo value, ${why}`);
    }
  }
  if (env.WECHAT_BRIDGE_SCRIPT_URL !== undefined) {
    problems.push(`WECHAT_BRIDGE_SCRIPT_URL: the emulator's bridge script is ${why}`);
  }
  if (env.SEED_DEMO_PRODUCTS) {
    problems.push(
      `SEED_DEMO_PRODUCTS: the demo's products (a ¥199 course…) are ${why}; ` +
        'create yours with PUT /api/admin/products/:productId',
    );
  }
  return problems;
}

/** Parse a plain key/value environment into a `Config`; every problem is listed in one `ConfigError`. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  // The files are checked here (exist, readable) so their problems join the others; the certificates are read by
  // createDeps, the small verification file here.
  const fileProblems: string[] = [];
  const payCertificate = payCertificateOf(cleaned, fileProblems);
  const mpVerifyFile = mpVerifyFileOf(cleaned['WECHAT_MP_VERIFY_FILE'], fileProblems);
  const payV3 = payV3Of(cleaned, fileProblems);
  if (cleaned['WECHAT_PAY_API'] !== 'v3' && cleaned['WECHAT_PAY_KEY'] === undefined) {
    fileProblems.push('WECHAT_PAY_KEY is required (the API v2 key; with WECHAT_PAY_API=v3 it is optional)');
  }
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError([
      ...result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
      ...fileProblems,
    ]);
  }
  const e = result.data;
  const problems = [...fileProblems, ...demoSecretProblems(e, cleaned)];
  if (problems.length > 0) throw new ConfigError(problems);
  const publicOrigin = originOf(e.PUBLIC_BASE_URL, 'PUBLIC_BASE_URL');
  const extraOrigins = (e.ALLOWED_CALLBACK_ORIGINS ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => originOf(value, 'ALLOWED_CALLBACK_ORIGINS'));
  return {
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    cookieKeys: e.COOKIE_KEYS,
    secureCookies: e.PUBLIC_BASE_URL.startsWith('https:'),
    databaseUrl: e.DATABASE_URL,
    database: {
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
    startUpRetrySeconds: e.STARTUP_RETRY_SECONDS,
    limits: {
      cacheMaxBytes: e.CACHE_MAX_MB * 1024 * 1024,
      redirectPerMinute: e.RATE_LIMIT_REDIRECT_PER_MINUTE,
      notifyRefusalSamplesPerHour: e.NOTIFY_REFUSAL_SAMPLES_PER_HOUR,
    },
    wechat: {
      appId: e.WECHAT_APP_ID,
      appSecret: e.WECHAT_APP_SECRET,
      mchId: e.WECHAT_MCH_ID,
      payApi: e.WECHAT_PAY_API,
      payKey: e.WECHAT_PAY_KEY,
      paySignType: e.WECHAT_PAY_SIGN_TYPE,
      payV3,
      oauthBaseUrl: e.WECHAT_OAUTH_BASE_URL,
      apiBaseUrl: e.WECHAT_API_BASE_URL,
      payBaseUrl: e.WECHAT_PAY_BASE_URL,
      timeoutMs: e.WECHAT_TIMEOUT_MS,
      payCertificate,
    },
    allowedOrigins: [...new Set([publicOrigin, ...extraOrigins])],
    bridgeScriptUrl: e.WECHAT_BRIDGE_SCRIPT_URL,
    trustProxy: e.TRUST_PROXY,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    h5DistDir: e.H5_DIST_DIR,
    mpVerifyFile,
    seedDemoProducts: e.SEED_DEMO_PRODUCTS,
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
    pay: {
      orderExpireMinutes: e.ORDER_EXPIRE_MINUTES,
      sweepIntervalSeconds: e.PAY_SWEEP_INTERVAL_SECONDS,
      reconcileAfterSeconds: e.PAY_RECONCILE_AFTER_SECONDS,
      reconcileMinIntervalSeconds: e.PAY_RECONCILE_MIN_INTERVAL_SECONDS,
      sweepRecheckSeconds: e.PAY_SWEEP_RECHECK_SECONDS,
    },
  };
}

/**
 * The process environment merged over an optional `.env` file (real environment wins). The one place in the
 * api that reads `process.env`.
 */
export function readEnvironment(envFile = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  // eslint-disable-next-line no-restricted-properties
  return { ...fromFile, ...process.env };
}
