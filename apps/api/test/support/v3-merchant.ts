import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEMO_API_V3_KEY,
  DEMO_KEY_FILES,
  DEMO_MCH_CERT_SERIAL,
  DEMO_WECHATPAY_PUBLIC_KEY_ID,
  type VerificationMode,
} from '@wxh5/wechat-emulator';
import type { TestEmulator } from './emulator';
import { DEMO } from './test-config';

/** What the emulator hands a merchant to verify WeChat with (GET /__emulator/merchants/:mchId/wechatpay-keys). */
export interface WechatpayKeysAnswer {
  mode: VerificationMode;
  publicKeyId: string | null;
  publicKeyPem: string | null;
  platformCertificates: { serialNo: string; pem: string }[];
}

/** A v3 merchant known to the emulator, with the files and variables the api is configured with. */
export interface V3TestMerchant {
  mchId: string;
  apiV3Key: string;
  certSerialNo: string;
  privateKey: KeyObject;
  keys: WechatpayKeysAnswer;
  /** WECHAT_PAY_API=v3 and the v3 variables (verification per `verifyWith`). */
  env: Record<string, string>;
}

/** The demo merchant 1900000109 (public-key mode, the emulator's demo key files): what `pnpm start` runs. */
export function demoV3Env(): Record<string, string> {
  return {
    WECHAT_PAY_API: 'v3',
    WECHAT_PAY_MCH_PRIVATE_KEY_PATH: DEMO_KEY_FILES.merchantPrivateKey,
    WECHAT_PAY_MCH_CERT_SERIAL: DEMO_MCH_CERT_SERIAL,
    WECHAT_PAY_API_V3_KEY: DEMO_API_V3_KEY,
    WECHAT_PAY_PUBLIC_KEY_PATH: DEMO_KEY_FILES.wechatpayPublicKey,
    WECHAT_PAY_PUBLIC_KEY_ID: DEMO_WECHATPAY_PUBLIC_KEY_ID,
  };
}

let counter = 0;

/**
 * Register a fresh v3 merchant (bound to the demo app) in `mode`, write its private key (and WeChat's public key /
 * platform certificates) to a temporary directory, and return the api's v3 variables for it. `certificates`: how the
 * api is told about platform certificates (`auto` downloads them; `dir` gives the files). `v2Key`: the merchant
 * also has an API v2 key (the live switch).
 */
export async function registerV3TestMerchant(
  emulator: TestEmulator,
  options: {
    mode: VerificationMode;
    publicKeyShare?: number;
    certificates?: 'auto' | 'dir' | 'none';
    v2Key?: string;
    mchId?: string;
    /** Default: the demo app. */
    appIds?: string[];
  },
): Promise<V3TestMerchant> {
  counter += 1;
  const mchId =
    options.mchId ?? `19${String(Date.now() % 1e6).padStart(6, '0')}${String(counter).padStart(2, '0')}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const apiV3Key = 'V3TestKey0123456789abcdefABCDEFG';
  const certSerialNo = '1A2B3C4D5E6F708192A3B4C5D6E7F80912345678';
  await emulator.control('POST', '/__emulator/merchants', {
    mchId,
    appIds: options.appIds ?? [DEMO.appId],
    ...(options.v2Key === undefined ? {} : { key: options.v2Key }),
    v3: {
      apiV3Key,
      certSerialNo,
      merchantPublicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      mode: options.mode,
      ...(options.publicKeyShare === undefined ? {} : { publicKeyShare: options.publicKeyShare }),
    },
  });
  const keys = await emulator.control<WechatpayKeysAnswer>(
    'GET',
    `/__emulator/merchants/${mchId}/wechatpay-keys`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'wxh5-v3-'));
  const keyPath = join(dir, 'apiclient_key.pem');
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const env: Record<string, string> = {
    WECHAT_PAY_API: 'v3',
    WECHAT_MCH_ID: mchId,
    WECHAT_PAY_MCH_PRIVATE_KEY_PATH: keyPath,
    WECHAT_PAY_MCH_CERT_SERIAL: certSerialNo,
    WECHAT_PAY_API_V3_KEY: apiV3Key,
  };
  if (options.v2Key !== undefined) env.WECHAT_PAY_KEY = options.v2Key;
  if (keys.publicKeyId && keys.publicKeyPem) {
    const path = join(dir, 'pub_key.pem');
    writeFileSync(path, keys.publicKeyPem);
    env.WECHAT_PAY_PUBLIC_KEY_PATH = path;
    env.WECHAT_PAY_PUBLIC_KEY_ID = keys.publicKeyId;
  }
  const certificates = options.certificates ?? (options.mode === 'publicKey' ? 'none' : 'auto');
  if (certificates === 'auto') env.WECHAT_PAY_PLATFORM_CERTS = 'auto';
  if (certificates === 'dir') {
    const certDir = join(dir, 'platform-certs');
    mkdirSync(certDir);
    for (const cert of keys.platformCertificates)
      writeFileSync(join(certDir, `${cert.serialNo}.pem`), cert.pem);
    env.WECHAT_PAY_PLATFORM_CERTS = certDir;
  }
  return { mchId, apiV3Key, certSerialNo, privateKey, keys, env };
}
