import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { AppMetrics } from '../metrics/create-metrics';

/**
 * The route a request matched, as a bounded label for logs and metrics: the router's path pattern
 * (`/api/wechat/pay/orders/:outTradeNo`), or what a non-router middleware named in `ctx.state.route` (`h5`,
 * `mp-verify-file`), or `unmatched` — never the raw path, which would carry order numbers.
 */
export function routeOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  if (typeof matched === 'string') return matched;
  const named = (ctx.state as { route?: unknown }).route;
  return typeof named === 'string' ? named : 'unmatched';
}

/**
 * One access-log line per request at `info` (and its duration in `wxh5_http_request_duration_seconds`), once the answer (and any error mapping inside) is known: method,
 * route, status, duration and the request id that the response's `X-Request-Id` also carries.
 */
export function logRequests(logger: Logger, metrics: AppMetrics): Middleware {
  return async (ctx, next) => {
    const startedAt = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      const route = routeOf(ctx);
      metrics.httpRequestDuration.observe(
        { method: ctx.method, route, status: String(ctx.status) },
        durationMs / 1000,
      );
      logger.info(
        {
          requestId: ctx.state.requestId as string,
          method: ctx.method,
          route,
          status: ctx.status,
          durationMs: Math.round(durationMs * 10) / 10,
        },
        'request',
      );
    }
  };
}
