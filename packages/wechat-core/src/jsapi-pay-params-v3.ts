import type { KeyObject } from 'node:crypto';
import { createNonce } from './create-nonce';
import { buildV3SignMessage, rsaSignBase64, rsaVerifyBase64 } from './sign-v3';

/** The v3 `getBrandWCPayRequest` parameters: same names as v2, `signType: 'RSA'`, an RSA `paySign`. */
export type JsapiPayParamsV3 = {
  appId: string;
  /** Capital S, seconds as a string (`wx.chooseWXPay` wants lowercase `timestamp`). */
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=<prepay_id>` */
  package: string;
  signType: 'RSA';
  paySign: string;
};

export interface BuildJsapiPayParamsV3Input {
  appId: string;
  prepayId: string;
  /** The merchant API private key (the one that signs requests). */
  privateKey: KeyObject;
  nonceStr?: string;
  timeStamp?: string | number;
}

function payMessage(params: { appId: string; timeStamp: string; nonceStr: string; package: string }): string {
  // Unlike v2, signType is NOT signed: just these four lines, each ending in \n.
  return buildV3SignMessage([params.appId, params.timeStamp, params.nonceStr, params.package]);
}

export function buildJsapiPayParamsV3(input: BuildJsapiPayParamsV3Input): JsapiPayParamsV3 {
  const unsigned = {
    appId: input.appId,
    timeStamp: String(input.timeStamp ?? Math.floor(Date.now() / 1000)),
    nonceStr: input.nonceStr ?? createNonce(),
    package: `prepay_id=${input.prepayId}`,
  };
  return { ...unsigned, signType: 'RSA', paySign: rsaSignBase64(payMessage(unsigned), input.privateKey) };
}

/** The cashier's check (the emulator's bridge): `signType` RSA and a paySign by the merchant's key. */
export function verifyJsapiPaySignV3(
  params: Readonly<Partial<Record<keyof JsapiPayParamsV3, unknown>>>,
  merchantPublicKey: KeyObject,
): boolean {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = params;
  if (signType !== 'RSA' || typeof paySign !== 'string') return false;
  if (![appId, timeStamp, nonceStr, pkg].every((value) => typeof value === 'string' && value !== '')) {
    return false;
  }
  return rsaVerifyBase64(
    payMessage({
      appId: appId as string,
      timeStamp: timeStamp as string,
      nonceStr: nonceStr as string,
      package: pkg as string,
    }),
    paySign,
    merchantPublicKey,
  );
}
