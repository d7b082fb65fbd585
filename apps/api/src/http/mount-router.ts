import type { Router } from '@koa/router';
import type Koa from 'koa';
import { ApiError } from '../shared/api-error';

/**
 * Mount a router so that a known path asked with another method is a 405 in the JSON envelope, keeping `Allow` —
 * koa-router alone answers plain text (or a 501 for unknown methods).
 */
export function mountRouter(app: Koa, router: Router): void {
  const allowedMethods = router.allowedMethods();
  app.use(router.routes());
  app.use(async (ctx, next) => {
    await allowedMethods(ctx as Parameters<typeof allowedMethods>[0], next);
    if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
      throw new ApiError('method_not_allowed', 'This route does not take that method.', {
        headers: { Allow: ctx.response.get('Allow') },
      });
    }
  });
}
