import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptAeadAesGcm, loadPlatformCertificate } from '@wxh5/wechat-core';
import Keyv from 'keyv';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLocks } from '../../../shared/in-process-locks';
import { WechatRefusedError, WechatUnavailableError } from '../../../shared/wechat-error';
import { CERTIFICATES_REFRESH_MS, createWechatpayKeys } from './create-wechatpay-keys';
import type { V3Answer, V3Request } from './v3-client';

const API_V3_KEY = 'KeysTestKey0123456789abcdefABCDE';
const HOUR_MS = 60 * 60 * 1000;

let dir: string;
let certPem: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wxh5-keys-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
    ].concat(['-days', '2', '-subj', '/CN=Tenpay.com Root CA']),
    { stdio: 'pipe' },
  );
  certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fake /v3/certificates: answers with the certificate, or fails as told; counts the calls. */
function fakeWechat() {
  const serialNo = loadPlatformCertificate(certPem).serialNo;
  const state = { calls: 0, fail: undefined as undefined | (() => Error) };
  const call = (request: V3Request): Promise<V3Answer> => {
    expect(request.path).toBe('/v3/certificates');
    state.calls += 1;
    if (state.fail) return Promise.reject(state.fail());
    return Promise.resolve({
      status: 200,
      body: {
        data: [
          {
            serial_no: serialNo,
            effective_time: '2026-12-01T00:00:00+08:00',
            expire_time: '2031-12-01T00:00:00+08:00',
            encrypt_certificate: encryptAeadAesGcm(certPem, API_V3_KEY, { associatedData: 'certificate' }),
          },
        ],
      },
    });
  };
  return { state, call, serialNo };
}

function keysWith(
  wechat: ReturnType<typeof fakeWechat>,
  clock: { ms: number },
  options: { cache?: Keyv; publicKey?: boolean } = {},
) {
  return createWechatpayKeys({
    mchId: '1900000109',
    v3: {
      apiV3Key: API_V3_KEY,
      platformCertificates: 'auto',
      publicKey: options.publicKey
        ? { id: 'PUB_KEY_ID_01', key: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey }
        : undefined,
    },
    cache: options.cache ?? new Keyv(),
    locks: createInProcessLocks(),
    logger: pino({ level: 'silent' }),
    now: () => clock.ms,
    call: wechat.call,
  });
}

describe('createWechatpayKeys with WECHAT_PAY_PLATFORM_CERTS=auto', () => {
  it('downloads once, names the certificate in Wechatpay-Serial, and downloads again after 12 hours', async () => {
    const wechat = fakeWechat();
    const clock = { ms: Date.now() };
    const keys = keysWith(wechat, clock);
    expect(await keys.requestSerial()).toBeUndefined();
    await Promise.all([keys.verifier(), keys.verifier(), keys.verifier()]);
    expect(wechat.state.calls).toBe(1);
    expect((await keys.verifier()).serials()).toEqual([wechat.serialNo]);
    expect(await keys.requestSerial()).toBe(wechat.serialNo);
    clock.ms += CERTIFICATES_REFRESH_MS - 1000;
    await keys.verifier();
    expect(wechat.state.calls).toBe(1);
    clock.ms += 2000;
    await keys.verifier();
    expect(wechat.state.calls).toBe(2);
  });

  it('shares one download through the cache: a second instance reads it instead of downloading', async () => {
    const wechat = fakeWechat();
    const clock = { ms: Date.now() };
    const cache = new Keyv();
    await keysWith(wechat, clock, { cache }).verifier();
    const other = keysWith(wechat, clock, { cache });
    expect((await other.verifier()).serials()).toEqual([wechat.serialNo]);
    expect(wechat.state.calls).toBe(1);
  });

  it('keeps the certificates it has when a refresh fails, and waits (1 min, doubling) before trying again', async () => {
    const wechat = fakeWechat();
    const clock = { ms: Date.now() };
    const keys = keysWith(wechat, clock);
    await keys.verifier();
    clock.ms += CERTIFICATES_REFRESH_MS + 1000;
    wechat.state.fail = () => new WechatUnavailableError('/v3/certificates', 'http_status', 3, 'HTTP 500');
    expect((await keys.verifier()).serials()).toEqual([wechat.serialNo]);
    expect(wechat.state.calls).toBe(2);
    clock.ms += 30_000;
    await keys.verifier();
    expect(wechat.state.calls).toBe(2);
    clock.ms += 31_000;
    await keys.verifier();
    expect(wechat.state.calls).toBe(3);
    // Second failure in a row: two minutes.
    clock.ms += 61_000;
    await keys.verifier();
    expect(wechat.state.calls).toBe(3);
    wechat.state.fail = undefined;
    clock.ms += 60_000;
    await keys.verifier();
    expect(wechat.state.calls).toBe(4);
  });

  it('turns 404 无可用的平台证书 into a configuration error asked once an hour, not a retry loop', async () => {
    const wechat = fakeWechat();
    const clock = { ms: Date.now() };
    const keys = keysWith(wechat, clock);
    wechat.state.fail = () =>
      new WechatRefusedError(
        '/v3/certificates',
        'RESOURCE_NOT_EXISTS',
        '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥',
      );
    for (let i = 0; i < 5; i += 1) {
      const error = await keys.verifier().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(WechatRefusedError);
      expect((error as WechatRefusedError).detail).toMatch(
        /WECHAT_PAY_PUBLIC_KEY_PATH \+ WECHAT_PAY_PUBLIC_KEY_ID/,
      );
    }
    expect(wechat.state.calls).toBe(1);
    clock.ms += HOUR_MS + 1000;
    await keys.verifier().catch(() => undefined);
    expect(wechat.state.calls).toBe(2);
  });

  it('with a public key too (the migration), a merchant without certificates verifies with the public key alone', async () => {
    const wechat = fakeWechat();
    const clock = { ms: Date.now() };
    const keys = keysWith(wechat, clock, { publicKey: true });
    wechat.state.fail = () =>
      new WechatRefusedError('/v3/certificates', 'RESOURCE_NOT_EXISTS', '无可用的平台证书');
    expect((await keys.verifier()).serials()).toEqual(['PUB_KEY_ID_01']);
    expect(await keys.requestSerial()).toBe('PUB_KEY_ID_01');
    await keys.verifier();
    expect(wechat.state.calls).toBe(1);
  });
});
