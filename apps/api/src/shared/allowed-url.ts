/**
 * `raw` as a URL if it is absolute http(s), carries no credentials and its origin is one of `allowedOrigins`;
 * otherwise undefined. `javascript:`, `data:`, protocol-relative (`//evil.example`) and relative URLs all fail
 * (no open redirect).
 */
export function parseAllowedUrl(raw: string, allowedOrigins: readonly string[]): URL | undefined {
  // Only absolute URLs that spell out their scheme: WHATWG parsing would otherwise "fix" odd inputs such as
  // `http:/evil.example` or backslashes.
  if (!/^https?:\/\/[^/\\]/i.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return allowedOrigins.includes(url.origin) ? url : undefined;
}
