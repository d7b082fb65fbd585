import type { ApiSuccess } from '@wxh5/contracts';
import type { Context } from 'koa';

/** Answer with the success envelope `{"code": 0, "data": …}`. */
export function respond<T>(ctx: Context, data: T, status = 200): void {
  const body: ApiSuccess<T> = { code: 0, data };
  ctx.status = status;
  ctx.body = body;
}
