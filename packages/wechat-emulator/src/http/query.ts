import type { ParameterizedContext } from 'koa';

/** The first value of a query parameter, or undefined when absent. */
export function queryParam(ctx: ParameterizedContext, name: string): string | undefined {
  const value = ctx.query[name];
  if (Array.isArray(value)) return value[0];
  return value;
}

/** Appends query parameters to a URL that may already have a query or a fragment, keeping both. */
export function appendQuery(url: string, params: Array<[string, string]>): string {
  const hashIndex = url.indexOf('#');
  const base = hashIndex === -1 ? url : url.slice(0, hashIndex);
  const fragment = hashIndex === -1 ? '' : url.slice(hashIndex);
  const query = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}${query}${fragment}`;
}

/** True when `url`'s host is one of `domains` exactly; a domain without a port allows any port. */
export function hostMatchesExactly(url: URL, domains: readonly string[]): boolean {
  return domains.some((domain) => (domain.includes(':') ? url.host === domain : url.hostname === domain));
}

/** JS接口安全域名 semantics: the domain itself or any subdomain of it (port rule as above). */
export function hostMatchesDomainOrSubdomain(url: URL, domains: readonly string[]): boolean {
  return domains.some((domain) => {
    if (domain.includes(':')) return url.host === domain || url.host.endsWith(`.${domain}`);
    return url.hostname === domain || url.hostname.endsWith(`.${domain}`);
  });
}
