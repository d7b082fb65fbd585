import type { OAuthScope } from '@wxh5/contracts';
import type { TestEmulator } from './emulator';
import { createHttpClient, type HttpClient, type TestResponse } from './http-client';

export interface LoginSteps {
  /** The api's 302 to the emulator's authorize page. */
  redirect: TestResponse;
  /** The emulator's 302 back to /api/wechat/getOpenId. */
  authorize: TestResponse;
  /** The api's answer to getOpenId (302 to the callback with the session cookie on success). */
  getOpenId: TestResponse;
}

/**
 * Drive the OAuth round trip with `browser` (its jar keeps the `wx_oauth` binding and receives the session):
 * api redirect → emulator authorize (answered automatically for `userId`) → api getOpenId.
 */
export async function driveLogin(
  browser: HttpClient,
  emulator: TestEmulator,
  userId: string,
  scope: OAuthScope = 'snsapi_base',
  callback = `${browser.baseUrl}/`,
): Promise<LoginSteps> {
  await emulator.oauthAuto(userId, 'allow');
  const redirect = await browser.get(
    `/api/wechat/redirect?callback=${encodeURIComponent(callback)}&scope=${scope}`,
  );
  if (redirect.status !== 302 || !redirect.location) {
    throw new Error(`redirect answered ${redirect.status}: ${redirect.text}`);
  }
  const authorize = await browser.get(redirect.location);
  if (authorize.status !== 302 || !authorize.location) {
    throw new Error(`emulator authorize answered ${authorize.status}: ${authorize.text}`);
  }
  const getOpenId = await browser.get(authorize.location);
  return { redirect, authorize, getOpenId };
}

/** Log `userId` in and return the `Cookie` header that carries the session (and nothing else). */
export async function loginAs(
  api: { url: string },
  emulator: TestEmulator,
  userId: string,
  scope: OAuthScope = 'snsapi_base',
): Promise<string> {
  const browser = createHttpClient(api.url);
  const steps = await driveLogin(browser, emulator, userId, scope);
  const session = browser.jar.get('openId');
  const signature = browser.jar.get('openId.sig');
  if (steps.getOpenId.status !== 302 || !session || !signature) {
    throw new Error(`login failed: getOpenId answered ${steps.getOpenId.status}: ${steps.getOpenId.text}`);
  }
  return `openId=${session}; openId.sig=${signature}`;
}
