import { Router } from '@koa/router';
import { ROUTES, ordersQuerySchema, payWalletRequestSchema } from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { apiError } from '../shared/api-error';
import { describeZodError } from '../http/handle-errors';
import { parseJsonBody } from '../http/parse-json-body';
import { parseAmountBody, parseOutTradeNoParam } from '../http/parse-pay-input';
import { requireOpenId, type SessionState } from '../http/require-open-id';
import { requireSameOrigin } from '../http/require-same-origin';
import { respond } from '../http/respond';
import type { PayServices } from '../pay/create-pay-services';
import { toProductView } from '../pay/product-views';
import { createSessionRepository } from '../users/session-repository';

/**
 * The user's pay routes: the products (no session), then with a session create + prepay an order, list, read
 * (reconciling), close, pay again.
 */
export function payRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router<SessionState>();
  const session = requireOpenId(deps.now, createSessionRepository(deps.db).check);
  const sameOrigin = requireSameOrigin(deps.config.allowedOrigins);

  // What is for sale (no session: the H5 shows it before login).
  router.get(ROUTES.products, async (ctx) => {
    const products = await services.catalog.listActive();
    respond(ctx, { products: products.filter((product) => product.active).map(toProductView) });
  });

  // The server prices the order from the catalog; the body names the product (and a quantity, or a custom amount
  // where the product allows one).
  router.post(ROUTES.payWallet, session, parseJsonBody(), async (ctx) => {
    const request = parseAmountBody(payWalletRequestSchema, ctx.request.body);
    const result = await services.orders.createOrder({
      openId: ctx.state.openId,
      order: request,
      // ctx.ip: the socket address, or with TRUST_PROXY the proxy-appended X-Forwarded-For entry, always a valid IP
      // (resolveClientIp).
      clientIp: ctx.ip,
    });
    respond(ctx, result);
  });

  router.get(ROUTES.orders, session, async (ctx) => {
    const query = ordersQuerySchema.safeParse(ctx.query);
    if (!query.success) throw apiError('invalid_request', describeZodError(query.error));
    respond(ctx, await services.orders.listOrders(ctx.state.openId, query.data.limit, query.data.cursor));
  });

  router.get(`${ROUTES.orders}/:outTradeNo`, session, async (ctx) => {
    respond(
      ctx,
      await services.orders.getOrder(ctx.state.openId, parseOutTradeNoParam(ctx.params.outTradeNo)),
    );
  });

  // No body: a cross-site form could send it, so the origin is checked (requireSameOrigin).
  router.post(`${ROUTES.orders}/:outTradeNo/close`, sameOrigin, session, async (ctx) => {
    respond(
      ctx,
      await services.orders.closeOrder(ctx.state.openId, parseOutTradeNoParam(ctx.params.outTradeNo)),
    );
  });

  // 再次支付. No body: everything comes from the stored order (any body sent is ignored, like close's).
  router.post(`${ROUTES.orders}/:outTradeNo/prepay`, session, async (ctx) => {
    respond(
      ctx,
      await services.orders.prepayOrder(ctx.state.openId, parseOutTradeNoParam(ctx.params.outTradeNo)),
    );
  });

  return router;
}
