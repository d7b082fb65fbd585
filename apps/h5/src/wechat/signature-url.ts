import type { WxPlatform } from './platform';

/** The URL WeChat signs: the full page URL without its `#fragment` (hash-router state is never signed). */
export function stripFragment(href: string): string {
  const hash = href.indexOf('#');
  return hash === -1 ? href : href.slice(0, hash);
}

export interface SignatureUrlInput {
  platform: WxPlatform;
  /** The URL the SPA was first loaded at (remembered at boot, before any client-side navigation). */
  landingUrl: string;
  /** `location.href` now. */
  currentUrl: string;
}

/**
 * The URLs to ask `/api/wechat/jssdk` to sign, best first. iOS WeChat checks the signature against the URL the
 * single-page app landed on, Android against the current one; after a `pushState` navigation the two differ, so
 * the other one is kept as the single fallback for a `config:invalid signature` answer.
 */
export function signatureUrlCandidates({ platform, landingUrl, currentUrl }: SignatureUrlInput): string[] {
  const landing = stripFragment(landingUrl);
  const current = stripFragment(currentUrl);
  const [first, second] = platform === 'ios' ? [landing, current] : [current, landing];
  return first === second ? [first] : [first, second];
}
