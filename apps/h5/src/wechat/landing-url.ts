import { stripFragment } from './signature-url';

let landingUrl: string | undefined;

/** Call once at boot, before the router touches history: iOS WeChat keeps signing this URL for the whole visit. */
export function recordLandingUrl(href: string): void {
  landingUrl ??= stripFragment(href);
}

export function getLandingUrl(): string {
  return landingUrl ?? stripFragment(window.location.href);
}
