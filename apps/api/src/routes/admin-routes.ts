import { Router } from '@koa/router';
import { refundRequestSchema } from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { parseJsonBody } from '../http/parse-json-body';
import { requireAdminToken } from '../http/require-admin-token';
import { parseAmountBody, parseOutTradeNoParam } from '../http/parse-pay-input';
import { respond } from '../http/respond';
import type { PayServices } from '../pay/create-pay-services';

/** Merchant routes under /api/admin/: refunds. */
export function adminRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router();
  router.post(
    '/api/admin/orders/:outTradeNo/refund',
    requireAdminToken(deps.config.adminToken),
    parseJsonBody(),
    async (ctx) => {
      const outTradeNo = parseOutTradeNoParam(ctx.params.outTradeNo);
      const request = parseAmountBody(refundRequestSchema, ctx.request.body);
      respond(ctx, await services.refunds.createRefund(outTradeNo, request), 201);
    },
  );
  return router;
}
