import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Give every request an id (a well-formed incoming `X-Request-Id` is kept) for logs and the response header. */
export function assignRequestId(): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    await next();
  };
}
