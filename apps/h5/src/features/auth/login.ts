import { AUTH_DENIED_PARAM, AUTH_DENIED_VALUE, ROUTES } from '@wxh5/contracts';

const ATTEMPTS_KEY = 'wxh5.login-attempts';
/**
 * Automatic WeChat logins allowed before one succeeds. A browser that drops the session cookie would otherwise
 * bounce between the page and WeChat forever; after this many the page asks the user instead.
 */
const MAX_AUTOMATIC_LOGINS = 1;

let redirecting = false;

/** `/api/wechat/redirect?callback=<href>&scope=snsapi_userinfo`: the api's OAuth start, back to `href` after. */
export function buildLoginUrl(callbackHref: string): string {
  return `${ROUTES.redirect}?callback=${encodeURIComponent(callbackHref)}&scope=snsapi_userinfo`;
}

/** Whether the api sent the user back with `wx_auth=denied` (they pressed "deny" on WeChat's consent page). */
export function hasDeclinedLogin(href: string): boolean {
  return new URL(href).searchParams.get(AUTH_DENIED_PARAM) === AUTH_DENIED_VALUE;
}

/** `href` without the `wx_auth` marker, so a retried login does not come back "declined" again. */
export function withoutDeclinedMarker(href: string): string {
  const url = new URL(href);
  url.searchParams.delete(AUTH_DENIED_PARAM);
  return url.toString();
}

function readAttempts(): number {
  try {
    return Number(window.sessionStorage.getItem(ATTEMPTS_KEY) ?? '0') || 0;
  } catch {
    return 0;
  }
}

function writeAttempts(value: number): void {
  try {
    if (value === 0) window.sessionStorage.removeItem(ATTEMPTS_KEY);
    else window.sessionStorage.setItem(ATTEMPTS_KEY, String(value));
  } catch {
    // Storage can be disabled; the loop guard is then off, which only matters for cookie-less browsers.
  }
}

/**
 * Send the browser to WeChat login and back to the current page. Returns false, without leaving, when the last
 * automatic login did not produce a session (unless `force`: the user pressed a button).
 */
export function startLogin({ force = false }: { force?: boolean } = {}): boolean {
  if (redirecting) return true;
  const attempts = readAttempts();
  if (!force && attempts >= MAX_AUTOMATIC_LOGINS) return false;
  writeAttempts(attempts + 1);
  redirecting = true;
  window.location.assign(buildLoginUrl(withoutDeclinedMarker(window.location.href)));
  return true;
}

export function isRedirectingToLogin(): boolean {
  return redirecting;
}

/** A session exists: the next missing session may start a login automatically again. */
export function loginSucceeded(): void {
  writeAttempts(0);
}
