// The only module that imports weixin-js-sdk (jweixin 1.6). Everything else in the H5 goes through src/wechat/.
import wxSdk from 'weixin-js-sdk';

/** What jweixin hands every callback: `errMsg` is `"<api>:ok"`, `"<api>:cancel"` or `"<api>:<error text>"`. */
export interface WxResult {
  errMsg: string;
}

interface WxCallbacks {
  success?: (res: WxResult) => void;
  fail?: (res: WxResult) => void;
  cancel?: (res: WxResult) => void;
  complete?: (res: WxResult) => void;
}

export interface WxConfigInput {
  debug: boolean;
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
}

export interface ShareInput {
  title: string;
  desc: string;
  link: string;
  imgUrl: string;
}

/**
 * The slice of jweixin we use, typed by us: the package's own typings say `timestamp: number` for chooseWXPay,
 * but jweixin only does `timestamp + ""`, and passing the api's string keeps the signed value byte for byte.
 */
export interface Jweixin {
  config(config: WxConfigInput): void;
  ready(fn: () => void): void;
  error(fn: (res: WxResult) => void): void;
  updateAppMessageShareData(options: ShareInput & WxCallbacks): void;
  updateTimelineShareData(options: Omit<ShareInput, 'desc'> & WxCallbacks): void;
  chooseWXPay(
    options: {
      /** Lowercase `timestamp` here; jweixin renames it to the `timeStamp` that was signed. */
      timestamp: string;
      nonceStr: string;
      package: string;
      /** Always explicit: jweixin would default to "SHA1", which WeChat Pay v2 rejects. */
      signType: string;
      paySign: string;
    } & WxCallbacks,
  ): void;
}

export const jweixin = wxSdk as unknown as Jweixin;
