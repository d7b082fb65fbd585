// The `v3` block of `POST /__emulator/merchants` and the `wechatpay-keys` answer. The merchant keeps its
// private key: the emulator takes only the public half. WeChat's keys are generated here, and kept when a
// merchant changes mode (a public key already handed out stays valid; migrating adds a certificate).
import { KeyLoadError, loadWechatpayPublicKey } from '@wxh5/wechat-core';
import { ControlInputError } from '../http/control-input-error';
import { VERIFICATION_MODES, createPlatformCertificate, createWechatpayPublicKey } from './wechatpay-keys';
import type { MerchantV3, VerificationMode } from './wechatpay-keys';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function readMerchantV3(
  input: unknown,
  mchId: string,
  previous: MerchantV3 | undefined,
): Promise<MerchantV3> {
  if (!isRecord(input)) throw new ControlInputError('v3 must be an object');
  const { apiV3Key, certSerialNo, merchantPublicKeyPem, mode, publicKeyShare } = input;
  if (typeof apiV3Key !== 'string' || Buffer.byteLength(apiV3Key, 'utf8') !== 32) {
    throw new ControlInputError('v3.apiV3Key must be the 32-character APIv3 key');
  }
  if (typeof certSerialNo !== 'string' || !/^[0-9A-Fa-f]{8,64}$/.test(certSerialNo)) {
    throw new ControlInputError('v3.certSerialNo must be the merchant certificate serial (hex)');
  }
  if (typeof merchantPublicKeyPem !== 'string') {
    throw new ControlInputError('v3.merchantPublicKeyPem must be the PEM of the merchant API public key');
  }
  let merchantPublicKey;
  try {
    merchantPublicKey = loadWechatpayPublicKey(merchantPublicKeyPem);
  } catch (error) {
    if (error instanceof KeyLoadError)
      throw new ControlInputError(`v3.merchantPublicKeyPem: ${error.message}`);
    throw error;
  }
  const chosen = mode ?? 'publicKey';
  if (typeof chosen !== 'string' || !VERIFICATION_MODES.includes(chosen as VerificationMode)) {
    throw new ControlInputError(`v3.mode must be one of ${VERIFICATION_MODES.join(', ')}`);
  }
  const share = publicKeyShare ?? (chosen === 'migrating' ? 0.5 : 1);
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    throw new ControlInputError('v3.publicKeyShare must be a number from 0 to 1');
  }
  const verification = chosen as VerificationMode;
  const publicKey =
    verification === 'platformCertificate'
      ? previous?.publicKey
      : (previous?.publicKey ?? createWechatpayPublicKey(mchId));
  const platformCertificates =
    verification === 'publicKey'
      ? (previous?.platformCertificates ?? [])
      : previous?.platformCertificates.length
        ? previous.platformCertificates
        : [await createPlatformCertificate(Date.now())];
  return {
    apiV3Key,
    certSerialNo: certSerialNo.toUpperCase(),
    merchantPublicKey,
    mode: verification,
    publicKeyShare: share,
    ...(publicKey ? { publicKey } : {}),
    platformCertificates,
  };
}

/** What the merchant configures to verify WeChat: in its mode, the public key and/or the certificates. */
export function describeWechatpayKeys(v3: MerchantV3): {
  mode: VerificationMode;
  publicKeyId: string | null;
  publicKeyPem: string | null;
  platformCertificates: { serialNo: string; pem: string }[];
} {
  const usesPublicKey = v3.mode !== 'platformCertificate' && v3.publicKey !== undefined;
  return {
    mode: v3.mode,
    publicKeyId: usesPublicKey ? (v3.publicKey?.id ?? null) : null,
    publicKeyPem: usesPublicKey ? (v3.publicKey?.publicKeyPem ?? null) : null,
    platformCertificates:
      v3.mode === 'publicKey'
        ? []
        : v3.platformCertificates.map((cert) => ({ serialNo: cert.serialNo, pem: cert.pem })),
  };
}
