import { Router } from '@koa/router';
import { ROUTES, ordersQuerySchema, outTradeNoSchema, payWalletRequestSchema } from '@wxh5/contracts';
import type { AppDeps } from '../deps';
import { apiError } from '../http/api-error';
import { describeZodError } from '../http/handle-errors';
import { parseJsonBody } from '../http/parse-json-body';
import { requireOpenId, type SessionState } from '../http/require-open-id';
import { respond } from '../http/respond';
import type { PayServices } from '../pay/create-pay-services';

function outTradeNoParam(value: string | undefined): string {
  const parsed = outTradeNoSchema.safeParse(value);
  // A malformed id cannot be anyone's order.
  if (!parsed.success) throw apiError('order_not_found', 'No such order.');
  return parsed.data;
}

/** The user's pay routes (session required): create + prepay an order, list, read (reconciling), close. */
export function payRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router<SessionState>();
  const session = requireOpenId(deps.now);

  router.post(ROUTES.payWallet, session, parseJsonBody(), async (ctx) => {
    const parsed = payWalletRequestSchema.safeParse(ctx.request.body);
    if (!parsed.success) {
      const amountProblem = parsed.error.issues.some((issue) => issue.path[0] === 'amountFen');
      const message = describeZodError(parsed.error);
      throw amountProblem
        ? apiError('invalid_amount', `amountFen must be an integer number of fen, 1…100000000 (${message})`)
        : apiError('invalid_request', message);
    }
    const result = await services.orders.createOrder({
      openId: ctx.state.openId,
      amountFen: parsed.data.amountFen,
      description: parsed.data.description,
      // ctx.ip honours X-Forwarded-For only when TRUST_PROXY is set (Koa's `proxy`).
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
    respond(ctx, await services.orders.getOrder(ctx.state.openId, outTradeNoParam(ctx.params.outTradeNo)));
  });

  router.post(`${ROUTES.orders}/:outTradeNo/close`, session, async (ctx) => {
    respond(ctx, await services.orders.closeOrder(ctx.state.openId, outTradeNoParam(ctx.params.outTradeNo)));
  });

  return router;
}
