import {
  createWechatpayVerifier,
  loadPlatformCertificate,
  readPlatformCertificates,
  type PlatformCertificate,
  type WechatpayVerifier,
} from '@wxh5/wechat-core';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { PayV3Config } from '../../../config';
import type { LockService } from '../../../deps';
import { createSingleFlight } from '../../../shared/single-flight';
import { WechatRefusedError, isRefused } from '../../../shared/wechat-error';
import type { V3Answer, V3Request, WechatpayKeys } from './v3-client';

/** Downloaded certificates are fetched again after this long (the official SDKs refresh every 12 or 24 h). */
export const CERTIFICATES_REFRESH_MS = 12 * 60 * 60 * 1000;
/** First wait after a failed download; doubles per failure up to the maximum. */
const RETRY_FIRST_MS = 60_000;
const RETRY_MAX_MS = 60 * 60 * 1000;
/** How long a download may hold the fleet-wide lock. */
const DOWNLOAD_LOCK_TTL_MS = 30_000;

interface CachedCertificates {
  fetchedAtMs: number;
  certificates: { serialNo: string; pem: string }[];
}

export interface WechatpayKeysOptions {
  mchId: string;
  v3: Pick<PayV3Config, 'apiV3Key' | 'publicKey' | 'platformCertificates'>;
  /** The shared cache (Redis when configured): one download per 12 h for the whole fleet. */
  cache: Keyv;
  locks: LockService;
  logger: Logger;
  now: () => number;
  /** Told of every download of the platform certificates (metrics), with whether it succeeded. */
  observeRefresh?: (kind: 'platform_certificates', outcome: 'ok' | 'failed') => void;
  /** Calls `GET /v3/certificates` through the v3 client (set after the client is built: it needs these keys). */
  call: (request: V3Request) => Promise<V3Answer>;
}

export function certificatesCacheKey(mchId: string): string {
  return `pay:v3:certificates:${mchId}`;
}

/**
 * What verifies WeChat for one merchant: its public key (public-key mode), its platform certificates (fixed files,
 * or `auto`: downloaded from /v3/certificates, decrypted with the APIv3 key, kept in the shared cache), or both —
 * the migration's combined verifier, where `Wechatpay-Serial` picks the key.
 *
 * `auto`: the certificates come from the shared cache when another instance downloaded them less than 12 h ago;
 * otherwise one instance downloads (a fleet-wide lock, and one download per process at a time) and stores them. A
 * failed refresh keeps the certificates already held and waits (1 min, doubling up to 1 h) before trying again. A
 * merchant without platform certificates (404 无可用的平台证书, or 403 certificate expired) is a configuration
 * problem: said once in words, waited out for an hour — with a public key configured the public key verifies
 * alone, without one every pay call fails with that refusal (502). Never a retry loop.
 */
export function createWechatpayKeys(options: WechatpayKeysOptions): WechatpayKeys {
  const { v3, cache, locks, logger, now } = options;
  const cacheKey = certificatesCacheKey(options.mchId);
  const singleFlight = createSingleFlight();
  const fixed = Array.isArray(v3.platformCertificates) ? v3.platformCertificates : [];
  const auto = v3.platformCertificates === 'auto';
  let held: { fetchedAtMs: number; certificates: PlatformCertificate[] } | undefined;
  let failure: { untilMs: number; error: unknown; count: number } | undefined;

  const verifierOver = (certificates: readonly PlatformCertificate[]): WechatpayVerifier =>
    createWechatpayVerifier(
      {
        ...(v3.publicKey ? { publicKey: v3.publicKey } : {}),
        certificates: [...fixed, ...certificates],
      },
      { now },
    );
  // The verifier every notify and answer is checked with, built again only when the certificates held change (the
  // keys themselves are KeyObjects parsed at start-up or at download).
  const NONE: readonly PlatformCertificate[] = [];
  let current: { over: readonly PlatformCertificate[]; verifier: WechatpayVerifier } | undefined;
  const verifierHeld = (certificates: readonly PlatformCertificate[]): WechatpayVerifier => {
    if (current?.over !== certificates)
      current = { over: certificates, verifier: verifierOver(certificates) };
    return current.verifier;
  };

  function fromCache(
    value: unknown,
  ): { fetchedAtMs: number; certificates: PlatformCertificate[] } | undefined {
    const cached = value as CachedCertificates | undefined;
    if (!cached || typeof cached.fetchedAtMs !== 'number' || !Array.isArray(cached.certificates))
      return undefined;
    try {
      return {
        fetchedAtMs: cached.fetchedAtMs,
        certificates: cached.certificates.map((entry) => loadPlatformCertificate(entry.pem)),
      };
    } catch (err) {
      logger.warn({ err }, 'the cached WeChat Pay platform certificates do not load; downloading them again');
      return undefined;
    }
  }

  const fresh = (entry: { fetchedAtMs: number } | undefined) =>
    entry !== undefined && now() - entry.fetchedAtMs < CERTIFICATES_REFRESH_MS;

  async function readCache() {
    try {
      return fromCache(await cache.get(cacheKey));
    } catch (err) {
      logger.warn({ err }, 'cannot read the shared cache for the platform certificates');
      return undefined;
    }
  }

  async function download(): Promise<PlatformCertificate[]> {
    let certificates: PlatformCertificate[];
    try {
      const answer = await options.call({
        method: 'GET',
        path: '/v3/certificates',
        endpoint: '/v3/certificates',
        // The first answer is verified with the certificates it carries (and the public key, if any): those are
        // decrypted with our APIv3 key, which only WeChat shares with us.
        verifierFor: (rawBody) => {
          let carried: PlatformCertificate[] = [];
          try {
            carried = readPlatformCertificates(JSON.parse(rawBody), v3.apiV3Key);
          } catch {
            // Not a certificate list (an error answer): verified with what we already hold.
          }
          return Promise.resolve(verifierOver([...(held?.certificates ?? []), ...carried]));
        },
        trustRefusals: true,
      });
      certificates = readPlatformCertificates(answer.body, v3.apiV3Key);
    } catch (err) {
      if (isRefused(err, 'RESOURCE_NOT_EXISTS', 'NOT_ENOUGH', 'NOT_FOUND')) {
        if (v3.publicKey) {
          logger.warn(
            { code: err.code },
            'WeChat Pay has no platform certificate for this merchant (public-key mode): verifying with the public ' +
              'key alone; WECHAT_PAY_PLATFORM_CERTS=auto can be removed',
          );
          return [];
        }
        throw new WechatRefusedError(
          '/v3/certificates',
          err.code,
          `${err.detail} — this merchant has no platform certificate: configure the WeChat Pay public key ` +
            '(WECHAT_PAY_PUBLIC_KEY_PATH + WECHAT_PAY_PUBLIC_KEY_ID from 账户中心 → API安全)',
        );
      }
      throw err;
    }
    const entry: CachedCertificates = {
      fetchedAtMs: now(),
      certificates: certificates.map((cert) => ({ serialNo: cert.serialNo, pem: cert.pem })),
    };
    try {
      // Kept well past the refresh time: while a refresh fails, the fleet still verifies with these.
      await cache.set(cacheKey, entry, 7 * 24 * 60 * 60 * 1000);
    } catch (err) {
      logger.warn({ err }, 'cannot store the platform certificates in the shared cache');
    }
    logger.info(
      { serials: certificates.map((cert) => cert.serialNo) },
      'WeChat Pay platform certificates downloaded',
    );
    return certificates;
  }

  /** The fleet's certificates: the shared cache's if fresh, else one download under the fleet-wide lock. */
  async function load(): Promise<{ fetchedAtMs: number; certificates: PlatformCertificate[] }> {
    const cached = await readCache();
    if (fresh(cached) && cached) return cached;
    return locks.withLock(cacheKey, DOWNLOAD_LOCK_TTL_MS, async () => {
      const again = await readCache();
      if (fresh(again) && again) return again;
      try {
        const downloaded = await download();
        options.observeRefresh?.('platform_certificates', 'ok');
        return { fetchedAtMs: now(), certificates: downloaded };
      } catch (err) {
        options.observeRefresh?.('platform_certificates', 'failed');
        throw err;
      }
    });
  }

  async function certificates(): Promise<PlatformCertificate[]> {
    if (!auto) return [];
    if (fresh(held) && held) return held.certificates;
    if (failure && now() < failure.untilMs) {
      if (held) return held.certificates;
      throw failure.error;
    }
    try {
      held = await singleFlight('certificates', load);
      failure = undefined;
      return held.certificates;
    } catch (err) {
      const count = (failure?.count ?? 0) + 1;
      const configuration = err instanceof WechatRefusedError;
      const waitMs = configuration ? RETRY_MAX_MS : Math.min(RETRY_FIRST_MS * 2 ** (count - 1), RETRY_MAX_MS);
      failure = { untilMs: now() + waitMs, error: err, count };
      logger.error(
        { err, retryInSeconds: Math.round(waitMs / 1000), keeping: held?.certificates.length ?? 0 },
        configuration
          ? 'WeChat Pay refused to hand out platform certificates: a configuration problem, see the message'
          : 'cannot download the WeChat Pay platform certificates; trying again later',
      );
      if (held) return held.certificates;
      throw err;
    }
  }

  return {
    async verifier() {
      if (!auto) return verifierHeld(NONE);
      try {
        return verifierHeld(await certificates());
      } catch (err) {
        // With a public key the migration still verifies what the public key signed.
        if (v3.publicKey) return verifierHeld(NONE);
        throw err;
      }
    },
    requestSerial() {
      if (v3.publicKey) return Promise.resolve(v3.publicKey.id);
      const all = [...fixed, ...(auto ? (held?.certificates ?? []) : [])];
      // The newest certificate: during a certificate rotation both sign, and the newer one outlives the older.
      const newest = all.reduce<PlatformCertificate | undefined>(
        (best, cert) => (best === undefined || cert.validTo > best.validTo ? cert : best),
        undefined,
      );
      return Promise.resolve(newest?.serialNo);
    },
  };
}
