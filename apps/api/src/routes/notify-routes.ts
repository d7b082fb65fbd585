import { Router } from '@koa/router';
import { ROUTES } from '@wxh5/contracts';
import type { Context, Middleware } from 'koa';
import type { AppDeps } from '../deps';
import { readRawBody } from '../http/read-raw-body';
import type { PayServices } from '../pay/create-pay-services';
import type { NotifyHandler } from '../pay/record-notification';

/**
 * WeChat's notify URLs. The raw body AND the headers go to the handler, which answers in the format of the
 * protocol that sent the notify (v2: XML). Nothing is thrown, so `handleErrors` never turns a notify into a JSON
 * error page or a 500: an unexpected failure is the current gateway's FAIL, which WeChat retries.
 */
export function notifyRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router();

  const handle =
    (kind: 'pay' | 'refund', handler: NotifyHandler): Middleware =>
    async (ctx: Context) => {
      let reply;
      try {
        const result = await handler({
          body: await readRawBody(ctx.req),
          headers: ctx.req.headers,
          sourceIp: ctx.ip,
        });
        deps.metrics.notifies.inc({ kind, verdict: result.verdict });
        // 'accepted' and 'paid_after_close' are the verdicts whose notify made the transition (one per order).
        if (kind === 'pay' && result.verdict === 'accepted') {
          deps.metrics.orderTransitions.inc({ from: 'PENDING', to: 'PAID' });
        } else if (kind === 'pay' && result.verdict === 'paid_after_close') {
          deps.metrics.orderTransitions.inc({ from: 'CLOSED', to: 'PAID' });
        }
        reply = result.reply;
      } catch (err) {
        deps.logger.error({ err, kind }, 'notify route failed unexpectedly');
        reply = services.gateways.current.acknowledge({
          kind,
          verdict: 'internal_error',
          acknowledged: false,
        });
      }
      ctx.status = reply.status;
      ctx.type = reply.contentType;
      ctx.body = reply.body;
    };

  router.post(ROUTES.payCallback, handle('pay', services.handlePayNotify));
  router.post(ROUTES.refundCallback, handle('refund', services.handleRefundNotify));
  return router;
}
