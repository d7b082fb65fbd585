// A minimal signed v2 client for tests, built on @wxh5/wechat-core (the signer the api uses too).
import { buildXml, createNonce, parseXml, signV2 } from '@wxh5/wechat-core';
import type { SignType } from '@wxh5/wechat-core';

export interface PayCallOptions {
  key: string;
  signType?: SignType;
  /** Send sign_type in the body (default: yes for HMAC-SHA256, no for MD5). */
  declareSignType?: boolean;
  /** Sign with this algorithm instead of signType (to test a wrong-type signature). */
  signWith?: SignType;
}

export async function postXml(baseUrl: string, path: string, xml: string): Promise<Record<string, string>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: xml,
  });
  return parseXml(await response.text());
}

export async function callPay(
  baseUrl: string,
  path: string,
  params: Record<string, string | number>,
  options: PayCallOptions,
): Promise<Record<string, string>> {
  const signType = options.signType ?? 'MD5';
  const declare = options.declareSignType ?? signType === 'HMAC-SHA256';
  const fields: Record<string, string | number> = {
    nonce_str: createNonce(),
    ...params,
    ...(declare ? { sign_type: signType } : {}),
  };
  const sign = signV2(fields, options.key, options.signWith ?? signType);
  return postXml(baseUrl, path, buildXml({ ...fields, sign }));
}
