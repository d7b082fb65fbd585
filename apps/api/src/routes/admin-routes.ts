import { Router } from '@koa/router';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeySchema, refundRequestSchema } from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { apiError } from '../shared/api-error';
import { parseJsonBody } from '../http/parse-json-body';
import { requireAdminToken } from '../http/require-admin-token';
import { parseAmountBody, parseOutTradeNoParam } from '../http/parse-pay-input';
import { respond } from '../http/respond';
import type { PayServices } from '../pay/create-pay-services';

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
 * Merchant routes under /api/admin/: refunds. A refund with an `Idempotency-Key` is made at most once: a retry with
 * the same key and body answers the same refund (`Idempotent-Replayed: true`), another body with the key is 422.
 */
export function adminRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router();
  router.post(
    '/api/admin/orders/:outTradeNo/refund',
    requireAdminToken(deps.config.adminToken),
    parseJsonBody(),
    async (ctx) => {
      const outTradeNo = parseOutTradeNoParam(ctx.params.outTradeNo);
      const request = parseAmountBody(refundRequestSchema, ctx.request.body);
      const idempotencyKey = parseIdempotencyKey(ctx.get(IDEMPOTENCY_KEY_HEADER));
      const result = await services.refunds.createRefund(outTradeNo, request, { idempotencyKey });
      if (result.replayed) ctx.set('Idempotent-Replayed', 'true');
      respond(ctx, result.refund, 201);
    },
  );
  return router;
}
