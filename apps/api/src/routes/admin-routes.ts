import { Router } from '@koa/router';
import {
  IDEMPOTENCY_KEY_HEADER,
  ROUTES,
  idempotencyKeySchema,
  productUpsertSchema,
  refundRequestSchema,
} from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { apiError } from '../shared/api-error';
import { parseJsonBody } from '../http/parse-json-body';
import { requireAdminToken } from '../http/require-admin-token';
import { parseAmountBody, parseOutTradeNoParam, parseProductIdParam } from '../http/parse-pay-input';
import { respond } from '../http/respond';
import type { PayServices } from '../pay/create-pay-services';
import { catalogWriter, toAdminProductView } from '../pay/product-views';

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
 * Merchant routes under /api/admin/ (bearer ADMIN_TOKEN): products and refunds. A refund with an `Idempotency-Key`
 * is made at most once: a retry with the same key and body answers the same refund (`Idempotent-Replayed: true`),
 * another body with the key is 422. The product routes write through the catalog's writer (405 without one).
 */
export function adminRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router();
  const admin = requireAdminToken(deps.config.adminToken);

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
  return router;
}
