import { Router } from '@koa/router';
import { ROUTES } from '@wxh5/contracts';
import { buildOpenApiDocument } from '@wxh5/contracts/openapi';

/**
 * `GET /api/openapi.json`: the contract generated from @wxh5/contracts' zod schemas (the same document as the
 * committed packages/contracts/openapi.json). Built once per app; plain JSON, not the envelope — tools read it as is.
 */
export function createOpenApiRoutes(): Router {
  const router = new Router();
  const body = JSON.stringify(buildOpenApiDocument());
  router.get(ROUTES.openapi, (ctx) => {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = body;
  });
  return router;
}
