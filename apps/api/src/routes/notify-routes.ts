import { Router } from '@koa/router';
import { ROUTES } from '@wxh5/contracts';
import { buildXmlReply } from '@wxh5/wechat-core';
import type { Context, Middleware } from 'koa';
import type { AppDeps } from '../deps';
import type { PayServices } from '../pay/create-pay-services';
import type { NotifyResult } from '../pay/record-notification';
import { isoAt } from '../pay/order-views';
import { readRawBody } from '../pay/read-raw-body';
import { recordNotification } from '../pay/record-notification';

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
    (kind: 'pay' | 'refund', handler: (rawBody: string) => Promise<NotifyResult>): Middleware =>
    async (ctx) => {
      try {
        const body = await readRawBody(ctx.req);
        if (!body.ok) {
          await recordNotification(deps.db, {
            kind,
            rawBody: body.prefix,
            verdict: body.reason,
            outTradeNo: null,
            transactionId: null,
            receivedAt: isoAt(deps.now()),
          }).catch((err: unknown) => deps.logger.error({ err }, 'could not record a refused notify'));
          deps.logger.warn({ kind, verdict: body.reason }, 'notify refused before parsing');
          answer(ctx, 'FAIL', body.reason, body.reason === 'too_large' ? 413 : 200);
          return;
        }
        const result = await handler(body.text);
        answer(ctx, result.reply, result.message);
      } catch (err) {
        deps.logger.error({ err, kind }, 'notify route failed unexpectedly');
        answer(ctx, 'FAIL', 'temporary failure');
      }
    };

  router.post(ROUTES.payCallback, handle('pay', services.handlePayNotify));
  router.post(ROUTES.refundCallback, handle('refund', services.handleRefundNotify));
  return router;
}
