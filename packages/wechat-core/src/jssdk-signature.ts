import { createHash } from 'node:crypto';

export interface JssdkSignatureInput {
  jsapi_ticket: string;
  noncestr: string;
  timestamp: string | number;
  /** The full page URL. Anything from `#` on is dropped here, as WeChat does. */
  url: string;
}

/**
 * wx.config's `signature`: sha1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (keys all
 * lowercase and already in ASCII order, raw values, no URL-escaping), lowercase hex.
 * Traps: the url must be the page that calls wx.config (not the OAuth callback), without
 * `#fragment`; the noncestr/timestamp signed must be the `nonceStr`/`timestamp` given to wx.config.
 */
export function jssdkSignature(input: JssdkSignatureInput): string {
  const hash = input.url.indexOf('#');
  const url = hash === -1 ? input.url : input.url.slice(0, hash);
  const string1 =
    `jsapi_ticket=${input.jsapi_ticket}&noncestr=${input.noncestr}` +
    `&timestamp=${String(input.timestamp)}&url=${url}`;
  return createHash('sha1').update(string1, 'utf8').digest('hex');
}
