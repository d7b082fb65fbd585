import { Router } from '@koa/router';
import { ROUTES } from '@wxh5/contracts';
import { buildXmlReply } from '@wxh5/wechat-core';
import type { Context, Middleware } from 'koa';
import type { AppDeps } from '../deps';
import type { PayServices } from '../pay/create-pay-services';
import type { NotifyResult } from '../pay/record-notification';
import { readRawBody, type RawBodyResult } from '../pay/read-raw-body';

function answer(ctx: Context, reply: 'SUCCESS' | 'FAIL', message: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/xml';
  ctx.body = buildXmlReply(reply, reply === 'SUCCESS' ? 'OK' : message);
}

/**
 * WeChat's notify URLs: the one place that answers in XML. Each answer is built here and nothing is thrown, so
 * `handleErrors` never turns a notify into a JSON error page or a 500: an unexpected failure is an XML FAIL,
 * which WeChat retries.
 */
export function notifyRoutes(deps: AppDeps, services: PayServices) {
  const router = new Router();

  const handle =
    (kind: 'pay' | 'refund', handler: (body: RawBodyResult) => Promise<NotifyResult>): Middleware =>
    async (ctx) => {
      try {
        const result = await handler(await readRawBody(ctx.req));
        deps.metrics.notifies.inc({ kind, verdict: result.verdict });
        // 'accepted' and 'paid_after_close' are the verdicts whose notify made the transition (one per order).
        if (kind === 'pay' && result.verdict === 'accepted') {
          deps.metrics.orderTransitions.inc({ from: 'PENDING', to: 'PAID' });
        } else if (kind === 'pay' && result.verdict === 'paid_after_close') {
          deps.metrics.orderTransitions.inc({ from: 'CLOSED', to: 'PAID' });
        }
        answer(
          ctx,
          result.acknowledged ? 'SUCCESS' : 'FAIL',
          result.message,
          result.verdict === 'too_large' ? 413 : 200,
        );
      } catch (err) {
        deps.logger.error({ err, kind }, 'notify route failed unexpectedly');
        answer(ctx, 'FAIL', 'temporary failure');
      }
    };

  router.post(ROUTES.payCallback, handle('pay', services.handlePayNotify));
  router.post(ROUTES.refundCallback, handle('refund', services.handleRefundNotify));
  return router;
}
