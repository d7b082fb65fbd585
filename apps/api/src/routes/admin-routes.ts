import { Router } from '@koa/router';
import {
  IDEMPOTENCY_KEY_HEADER,
  ROUTES,
  idempotencyKeySchema,
  openIdSchema,
  productUpsertSchema,
  refundRequestSchema,
  type RevokeSessionsResult,
} from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { apiError } from '../shared/api-error';
import { parseJsonBody } from '../http/parse-json-body';
import { requireAdminToken } from '../http/require-admin-token';
import { parseAmountBody, parseOutTradeNoParam, parseProductIdParam } from '../http/parse-pay-input';
import { respond } from '../http/respond';
import type { PayServices } from '../pay/create-pay-services';
import { catalogWriter, toAdminProductView } from '../pay/product-views';
import { createSessionRepository } from '../users/session-repository';

/** The `Idempotency-Key` header, if sent: well formed or 400. */
function parseIdempotencyKey(value: string): string | undefined {
  if (value === '') return undefined;
  const parsed = idempotencyKeySchema.safeParse(value);
  if (!parsed.success) {
    throw apiError(
      'invalid_request',
      `${IDEMPOTENCY_KEY_HEADER}: at most 64 visible ASCII characters (a UUID fits).`,
    );
  }
  return parsed.data;
}

/**
 * Merchant routes under /api/admin/ (bearer ADMIN_TOKEN): products, refunds, and revoking a user's sessions (support,
 * e.g. a lost phone). A refund with an `Idempotency-Key` is made at most once: a retry with the same key and body
 * answers the same refund (`Idempotent-Replayed: true`), another body with the key is 422. The product routes write
 * through the catalog's writer (405 without one).
 */
export function adminRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router();
  const admin = requireAdminToken(deps.config.adminToken);
  const sessions = createSessionRepository(deps.db);

  router.get(ROUTES.adminProducts, admin, async (ctx) => {
    const products = await catalogWriter(services.catalog).listAll();
    respond(ctx, { products: products.map(toAdminProductView) });
  });

  // Create or replace (the body is the whole product). A new price applies to orders placed from now on: an order
  // keeps the price it was placed at.
  router.put(`${ROUTES.adminProducts}/:productId`, admin, parseJsonBody(), async (ctx) => {
    const productId = parseProductIdParam(ctx.params.productId);
    const request = parseAmountBody(productUpsertSchema, ctx.request.body, 'priceFen');
    const { product, created } = await catalogWriter(services.catalog).upsert(productId, request);
    deps.logger.info(
      { productId, created, priceFen: product.priceFen, active: product.active },
      'product saved',
    );
    respond(ctx, toAdminProductView(product));
  });

  router.post('/api/admin/orders/:outTradeNo/refund', admin, parseJsonBody(), async (ctx) => {
    const outTradeNo = parseOutTradeNoParam(ctx.params.outTradeNo);
    const request = parseAmountBody(refundRequestSchema, ctx.request.body);
    const idempotencyKey = parseIdempotencyKey(ctx.get(IDEMPOTENCY_KEY_HEADER));
    const result = await services.refunds.createRefund(outTradeNo, request, { idempotencyKey });
    if (result.replayed) ctx.set('Idempotent-Replayed', 'true');
    respond(ctx, result.refund, 201);
  });

  // Every session of the user stops working on every instance (the user's session version is bumped); the user
  // logs in again with WeChat. Repeating it is harmless (one more bump).
  router.post('/api/admin/users/:openId/sessions/revoke', admin, async (ctx) => {
    const openId = openIdSchema.safeParse(ctx.params.openId);
    if (!openId.success) {
      throw apiError('invalid_request', 'openId: up to 128 characters of A-Z, a-z, 0-9, _ and -.');
    }
    const sessionVersion = await sessions.revokeAll(openId.data, new Date(deps.now()).toISOString());
    if (sessionVersion === undefined) throw apiError('user_not_found', 'No user with this openId.');
    deps.logger.info({ sessionVersion }, 'admin revoked every session of a user');
    ctx.set('Cache-Control', 'no-store');
    respond<RevokeSessionsResult>(ctx, { openId: openId.data, sessionVersion });
  });
  return router;
}
