import { whenBridgeReady } from './bridge';
import { jweixin } from './jweixin';

/** Exactly what `POST /api/wechat/pay/payWallet` returns in `payParams` (note the capital S in `timeStamp`). */
export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

export interface PayOutcome {
  result: 'ok' | 'cancel' | 'fail';
  errMsg: string;
}

/**
 * Open WeChat's cashier. `chooseWXPay:ok` only means the user finished in the cashier; the order page asks the
 * server, which learns the truth from WeChat's notify. Resolves (never rejects) with ok/cancel/fail.
 */
export async function chooseWxPay(params: JsapiPayParams): Promise<PayOutcome> {
  const bridge = await whenBridgeReady();
  if (!bridge) return { result: 'fail', errMsg: 'chooseWXPay:not in WeChat' };
  return new Promise((resolve) => {
    jweixin.chooseWXPay({
      // jweixin takes lowercase `timestamp` and sends it as `timeStamp`; the api signed `timeStamp`.
      timestamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      // Explicit: jweixin's default is "SHA1", which no v2 paySign uses.
      signType: params.signType,
      paySign: params.paySign,
      success: (res) => resolve({ result: 'ok', errMsg: res.errMsg }),
      cancel: (res) => resolve({ result: 'cancel', errMsg: res.errMsg }),
      fail: (res) => resolve({ result: 'fail', errMsg: res.errMsg }),
    });
  });
}
