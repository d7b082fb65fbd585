import { isIP } from 'node:net';
import type { Middleware } from 'koa';

export interface ClientIpOptions {
  /** TRUST_PROXY: read X-Forwarded-For at all. */
  trustProxy: boolean;
  /** TRUST_PROXY_HOPS: how many proxies in front of the api append to X-Forwarded-For (1 = one load balancer). */
  proxyHops: number;
}

/** Longer than any IP (an IPv6 address with a zone is < 64 characters): a longer entry is not looked at. */
const MAX_IP_LENGTH = 64;

function validIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.length <= MAX_IP_LENGTH && isIP(trimmed) !== 0 ? trimmed : undefined;
}

/**
 * The client's IP as `ctx.ip` (rate limits, `spbill_create_ip`). Koa's own `proxy` reads the LEFTMOST
 * X-Forwarded-For entry, which the client writes itself; each trusted proxy appends the address it saw, so the
 * client is the entry `proxyHops` from the right. An entry that is not an IP (a forged, overlong or garbled value)
 * is never used: the socket's address is, so a header can neither pick an IP nor make a 500 out of a long value.
 */
export function resolveClientIp(options: ClientIpOptions): Middleware {
  return async (ctx, next) => {
    const socketIp = ctx.req.socket.remoteAddress ?? '';
    let ip = socketIp;
    const header = options.trustProxy ? ctx.get('X-Forwarded-For') : '';
    if (header) {
      const entries = header.split(',');
      ip = validIp(entries[entries.length - options.proxyHops]) ?? socketIp;
    }
    ctx.request.ip = ip;
    await next();
  };
}
