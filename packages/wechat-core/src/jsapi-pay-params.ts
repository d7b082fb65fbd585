import { createNonce } from './create-nonce';
import { isSignType, signV2, verifyV2 } from './sign-v2';
import type { SignType } from './sign-v2';

/** What the H5 passes to `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`. All strings. */
export type JsapiPayParams = {
  appId: string;
  /** Capital S. Seconds since the epoch, as a string. (`wx.chooseWXPay` wants lowercase `timestamp`.) */
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=<prepay_id>` */
  package: string;
  signType: SignType;
  paySign: string;
};

export interface BuildJsapiPayParamsInput {
  /** The appid the order was placed with. */
  appId: string;
  prepayId: string;
  /** The v2 API key. */
  key: string;
  /** Must equal the `sign_type` of the unifiedorder call. */
  signType: SignType;
  nonceStr?: string;
  timeStamp?: string | number;
}

/**
 * Builds and signs the JSAPI payment parameters. `paySign` is the v2 signature over exactly
 * `{appId, nonceStr, package, signType, timeStamp}`. Trap: `signType` itself is in the signed set.
 */
export function buildJsapiPayParams(input: BuildJsapiPayParamsInput): JsapiPayParams {
  const unsigned = {
    appId: input.appId,
    timeStamp: String(input.timeStamp ?? Math.floor(Date.now() / 1000)),
    nonceStr: input.nonceStr ?? createNonce(),
    package: `prepay_id=${input.prepayId}`,
    signType: input.signType,
  };
  return { ...unsigned, paySign: signV2(unsigned, input.key, input.signType) };
}

type JsapiPayField = keyof JsapiPayParams;

/**
 * Checks a `paySign` the way the WeChat cashier does (the emulator uses it). Only the five signed
 * fields count; extra fields are ignored. Anything missing, non-string or an unknown `signType`
 * gives `false`.
 */
export function verifyJsapiPaySign(
  params: Readonly<Partial<Record<JsapiPayField, unknown>>>,
  key: string,
): boolean {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = params;
  if (!isSignType(signType) || typeof paySign !== 'string') return false;
  for (const value of [appId, timeStamp, nonceStr, pkg]) {
    if (typeof value !== 'string' || value === '') return false;
  }
  return verifyV2(
    {
      appId: appId as string,
      timeStamp: timeStamp as string,
      nonceStr: nonceStr as string,
      package: pkg as string,
      signType,
      sign: paySign,
    },
    key,
    signType,
  );
}
