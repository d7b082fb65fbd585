/** What `/api/wechat/jssdk` returns: the fields `wx.config` takes (minus `debug`). */
export interface WxSignature {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
}

export type WxConfigOutcome =
  { ok: true; signedUrl: string; attempts: number } | { ok: false; errMsg: string; attempts: number };

export interface RunConfigAttemptsOptions {
  /** Best first; see `signatureUrlCandidates`. */
  urls: readonly string[];
  /** Ask the api to sign a URL. A rejection ends the attempts (the caller shows its message). */
  fetchSignature: (url: string) => Promise<WxSignature>;
  /** Run `wx.config` with it and resolve with the normalised `errMsg` (`config:ok`, `config:invalid signature`). */
  applyConfig: (signature: WxSignature) => Promise<string>;
}

export function isConfigOk(errMsg: string): boolean {
  return /:ok$/.test(errMsg);
}

function isInvalidSignature(errMsg: string): boolean {
  return /invalid signature/i.test(errMsg);
}

/**
 * Configure the JS-SDK with the first URL; on `invalid signature` only (a wrong domain or a missing API would
 * fail the same way for any URL) try the next URL once. Resolves with the outcome; never loops.
 */
export async function runConfigAttempts({
  urls,
  fetchSignature,
  applyConfig,
}: RunConfigAttemptsOptions): Promise<WxConfigOutcome> {
  let errMsg = 'config:fail';
  let attempts = 0;
  for (const url of urls.slice(0, 2)) {
    attempts += 1;
    const signature = await fetchSignature(url);
    errMsg = await applyConfig(signature);
    if (isConfigOk(errMsg)) return { ok: true, signedUrl: url, attempts };
    if (!isInvalidSignature(errMsg)) break;
  }
  return { ok: false, errMsg, attempts };
}
