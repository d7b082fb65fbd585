// A merchant's API v3 material as WeChat holds it: the APIv3 key, the merchant certificate's serial and
// public key (to verify the merchant's requests), and WeChat's own signing keys in the merchant's
// verification mode — a WeChat Pay public key (`PUB_KEY_ID_…`), platform certificates, or both while
// migrating. The demo merchant's keys are fixed files (demo-keys/) so `pnpm start` needs no set-up.
import { createPrivateKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { loadMerchantPrivateKey, loadWechatpayPublicKey } from '@wxh5/wechat-core';

export type VerificationMode = 'publicKey' | 'platformCertificate' | 'migrating';

export const VERIFICATION_MODES: readonly VerificationMode[] = [
  'publicKey',
  'platformCertificate',
  'migrating',
];

export interface WechatpayPublicKey {
  /** `PUB_KEY_ID_` + digits: arrives in `Wechatpay-Serial`. */
  id: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

export interface PlatformCertificateKey {
  serialNo: string;
  privateKey: KeyObject;
  pem: string;
  effectiveAt: number;
  expiresAt: number;
}

export interface MerchantV3 {
  /** 32 characters; encrypts notify resources and /v3/certificates. */
  apiV3Key: string;
  /** The merchant API certificate's serial: the `serial_no` of its Authorization header. */
  certSerialNo: string;
  merchantPublicKey: KeyObject;
  mode: VerificationMode;
  /** While migrating: the share (0…1) of notify deliveries signed with the public key. */
  publicKeyShare: number;
  /** Present in publicKey and migrating modes. */
  publicKey?: WechatpayPublicKey;
  /** Present in platformCertificate and migrating modes. */
  platformCertificates: PlatformCertificateKey[];
}

export const DEMO_API_V3_KEY = 'DemoApiV3Key0123456789abcdefABCD';
export const DEMO_MCH_CERT_SERIAL = '3775B6A45ACD588826D15E583A95F5DD3D1E5F21';
export const DEMO_WECHATPAY_PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092026120200118800000001';

function demoFile(name: string): string {
  return fileURLToPath(new URL(`../../demo-keys/${name}`, import.meta.url));
}

/** Absolute paths of the demo merchant's key files (the api demo reads the first two). */
export const DEMO_KEY_FILES = {
  merchantPrivateKey: demoFile('merchant-private-key.pem'),
  wechatpayPublicKey: demoFile('wechatpay-public-key.pem'),
  merchantPublicKey: demoFile('merchant-public-key.pem'),
  wechatpayPrivateKey: demoFile('wechatpay-private-key.pem'),
} as const;

let demoCache: { merchantPublicKey: KeyObject; publicKey: WechatpayPublicKey } | undefined;

export function loadDemoMerchantV3(): MerchantV3 {
  demoCache ??= {
    merchantPublicKey: loadWechatpayPublicKey(readFileSync(DEMO_KEY_FILES.merchantPublicKey, 'utf8')),
    publicKey: {
      id: DEMO_WECHATPAY_PUBLIC_KEY_ID,
      privateKey: loadMerchantPrivateKey(readFileSync(DEMO_KEY_FILES.wechatpayPrivateKey, 'utf8')),
      publicKeyPem: readFileSync(DEMO_KEY_FILES.wechatpayPublicKey, 'utf8'),
    },
  };
  return {
    apiV3Key: DEMO_API_V3_KEY,
    certSerialNo: DEMO_MCH_CERT_SERIAL,
    merchantPublicKey: demoCache.merchantPublicKey,
    mode: 'publicKey',
    publicKeyShare: 1,
    publicKey: demoCache.publicKey,
    platformCertificates: [],
  };
}

function digits(length: number): string {
  return [...randomBytes(length)].map((byte) => String(byte % 10)).join('');
}

/** A fresh WeChat Pay public key and its ID (`PUB_KEY_ID_` + 34 digits, like the real ones). */
export function createWechatpayPublicKey(mchId: string): WechatpayPublicKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const id = `PUB_KEY_ID_01${mchId.replace(/\D/g, '').padEnd(10, '0').slice(0, 10)}${digits(22)}`;
  return { id, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const RSA_SHA256 = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

/** A fresh platform key and a self-signed certificate (5 years, like WeChat's) with a 40-hex serial. */
export async function createPlatformCertificate(now: number): Promise<PlatformCertificateKey> {
  x509.cryptoProvider.set(globalThis.crypto);
  const keys = await webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify']);
  // A first digit below 8 keeps the DER integer positive without a leading zero byte.
  const serialNo = `${1 + ((randomBytes(1)[0] ?? 0) % 7)}${randomBytes(20).toString('hex').toUpperCase().slice(0, 39)}`;
  const effectiveAt = now - 60_000;
  const expiresAt = now + 5 * 365 * 24 * 3600 * 1000;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNo,
    name: 'CN=Tenpay.com Root CA (wxh5 emulator), O=Tenpay.com, C=CN',
    notBefore: new Date(effectiveAt),
    notAfter: new Date(expiresAt),
    signingAlgorithm: RSA_SHA256,
    keys,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    serialNo,
    privateKey: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
    pem: cert.toString('pem'),
    effectiveAt,
    expiresAt,
  };
}

/** The key that signs for `serial` (a public-key ID or a platform certificate serial), if the mode allows it. */
export function signingKeyFor(
  v3: MerchantV3,
  serial: string,
): { serial: string; privateKey: KeyObject } | undefined {
  if (v3.mode !== 'platformCertificate' && v3.publicKey?.id === serial) {
    return { serial, privateKey: v3.publicKey.privateKey };
  }
  if (v3.mode !== 'publicKey') {
    const cert = v3.platformCertificates.find((candidate) => candidate.serialNo === serial.toUpperCase());
    if (cert) return { serial: cert.serialNo, privateKey: cert.privateKey };
  }
  return undefined;
}

/** WeChat's default signer: the public key (publicKey mode) or the newest certificate (otherwise). */
export function defaultSigningKey(v3: MerchantV3): { serial: string; privateKey: KeyObject } {
  if (v3.mode === 'publicKey' && v3.publicKey)
    return { serial: v3.publicKey.id, privateKey: v3.publicKey.privateKey };
  const newest = v3.platformCertificates.at(-1);
  if (newest) return { serial: newest.serialNo, privateKey: newest.privateKey };
  if (v3.publicKey) return { serial: v3.publicKey.id, privateKey: v3.publicKey.privateKey };
  throw new Error('a v3 merchant without any WeChat Pay key');
}

/** Serials a request's `Wechatpay-Serial` may name in this mode. */
export function acceptedSerials(v3: MerchantV3): string[] {
  return [
    ...(v3.mode !== 'platformCertificate' && v3.publicKey ? [v3.publicKey.id] : []),
    ...(v3.mode !== 'publicKey' ? v3.platformCertificates.map((cert) => cert.serialNo) : []),
  ];
}

/** Who signs the next notify delivery: in migrating mode the public key for `publicKeyShare` of them. */
export function notifySigningKey(
  v3: MerchantV3,
  random: () => number,
): { serial: string; privateKey: KeyObject } {
  if (v3.mode === 'migrating' && v3.publicKey && v3.platformCertificates.length > 0) {
    if (random() < v3.publicKeyShare) return { serial: v3.publicKey.id, privateKey: v3.publicKey.privateKey };
    const newest = v3.platformCertificates.at(-1);
    if (newest) return { serial: newest.serialNo, privateKey: newest.privateKey };
  }
  return defaultSigningKey(v3);
}
