// The emulator side of the in-page bridge: GET /jsbridge.js serves the script, /__bridge/* answer its
// invokes. preVerifyJSAPI checks the JS-safe domain and the wx.config signature against the app's CURRENT
// jsapi_ticket over the page URL without `#`; getBrandWCPayRequest checks appId, prepay_id, paySign and the
// pay directory before the cashier shows, and again when the user presses pay.
import { readFileSync } from 'node:fs';
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import {
  isSignType,
  jssdkSignature,
  safeEqualHex,
  verifyJsapiPaySign,
  verifyJsapiPaySignV3,
} from '@wxh5/wechat-core';
import { hostMatchesDomainOrSubdomain } from '../http/query';
import { parseJsonObject, readRawBody } from '../http/read-body';
import { PayOrderError } from '../pay-service';
import type { PayService } from '../pay-service';
import { findUserByOpenid } from '../state';
import type { EmulatorMerchant, EmulatorOrder, EmulatorState } from '../state';

const JSBRIDGE_SOURCE = readFileSync(new URL('../bridge/jsbridge.js', import.meta.url), 'utf8');

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** The page URL is under one of the merchant's pay directories (a directory without a port allows any port). */
export function isUnderPayDirectory(pageUrl: URL, directories: readonly string[]): boolean {
  return directories.some((directory) => {
    let dir: URL;
    try {
      dir = new URL(directory);
    } catch {
      return false;
    }
    const portMatches = dir.port === '' && !/:\d+\//.test(directory) ? true : dir.port === pageUrl.port;
    return (
      dir.protocol === pageUrl.protocol &&
      dir.hostname === pageUrl.hostname &&
      portMatches &&
      pageUrl.pathname.startsWith(dir.pathname)
    );
  });
}

const allowBridgeCors: Middleware = async (ctx, next) => {
  const origin = ctx.get('Origin');
  ctx.set('Access-Control-Allow-Origin', origin === '' ? '*' : origin);
  ctx.set('Vary', 'Origin');
  if (ctx.method === 'OPTIONS') {
    ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
    ctx.set('Access-Control-Allow-Headers', 'content-type');
    ctx.set('Access-Control-Allow-Private-Network', 'true');
    ctx.set('Access-Control-Max-Age', '600');
    ctx.status = 204;
    return;
  }
  await next();
};

interface CheckedPayment {
  order: EmulatorOrder;
  merchant: EmulatorMerchant;
}

export function createBridgeRoutes(state: EmulatorState, payService: PayService): Router {
  const router = new Router();

  router.get('/jsbridge.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = JSBRIDGE_SOURCE;
  });

  const bridge = new Router({ prefix: '/__bridge' });
  bridge.use(allowBridgeCors);
  bridge.options('/{*path}', (ctx) => {
    ctx.status = 204;
  });

  async function readBody(ctx: Parameters<Middleware>[0]): Promise<Record<string, unknown>> {
    return parseJsonObject(await readRawBody(ctx.req, 64 * 1024)) ?? {};
  }

  bridge.post('/preverify', async (ctx) => {
    const body = await readBody(ctx);
    const appId = str(body.appId);
    const timestamp = str(body.timestamp);
    const nonceStr = str(body.nonceStr);
    const signature = str(body.signature);
    const jsApiList = Array.isArray(body.jsApiList)
      ? body.jsApiList.filter((item) => typeof item === 'string')
      : [];
    const app = state.apps.get(appId);
    if (!app) return void (ctx.body = { err_msg: 'config:invalid appid' });
    if (timestamp === '' || nonceStr === '' || signature === '' || !Array.isArray(body.jsApiList)) {
      return void (ctx.body = { err_msg: 'config:fail', err_desc: 'incomplete params' });
    }
    let pageUrl: URL;
    try {
      pageUrl = new URL(str(body.url));
    } catch {
      return void (ctx.body = { err_msg: 'config:invalid url domain' });
    }
    if (!hostMatchesDomainOrSubdomain(pageUrl, app.jsDomains)) {
      return void (ctx.body = { err_msg: 'config:invalid url domain' });
    }
    const ticket = state.tickets.get(app.appId);
    const expected =
      ticket && state.now() < ticket.expiresAt
        ? jssdkSignature({ jsapi_ticket: ticket.ticket, noncestr: nonceStr, timestamp, url: str(body.url) })
        : '';
    if (expected === '' || !safeEqualHex(expected, signature)) {
      return void (ctx.body = { err_msg: 'config:invalid signature' });
    }
    // Keyed by the config signature: a single-page app keeps its verification when its route changes.
    state.verifiedApis.set(`${app.appId} ${signature.toLowerCase()}`, new Set(jsApiList));
    ctx.body = { err_msg: 'config:ok' };
  });

  bridge.post('/share', async (ctx) => {
    const body = await readBody(ctx);
    const share = (body.share ?? {}) as Record<string, unknown>;
    const verify = (body.verify ?? {}) as Record<string, unknown>;
    const kind = share.kind === 'timeline' ? 'timeline' : 'appMessage';
    const name = kind === 'timeline' ? 'updateTimelineShareData' : 'updateAppMessageShareData';
    const appId = str(verify.appId);
    const pageUrl = str(body.url);
    const verified = state.verifiedApis.get(`${appId} ${str(verify.signature).toLowerCase()}`);
    if (!verified?.has(name)) {
      return void (ctx.body = { err_msg: `${name}:fail, the permission value is offline verifying` });
    }
    state.shares.push({
      kind,
      title: str(share.title),
      ...(kind === 'appMessage' ? { desc: str(share.desc) } : {}),
      link: str(share.link),
      imgUrl: str(share.imgUrl),
      pageUrl,
      at: state.now(),
    });
    ctx.body = { err_msg: `${name}:ok` };
  });

  function checkPayment(body: Record<string, unknown>): CheckedPayment | { error: string } {
    const params = (body.params ?? {}) as Record<string, unknown>;
    const appId = str(params.appId);
    const pkg = str(params.package);
    const signType = str(params.signType);
    if (!state.apps.has(appId)) return { error: 'appId无效' };
    const prepayId = pkg.startsWith('prepay_id=') ? pkg.slice('prepay_id='.length) : '';
    const order =
      prepayId === '' ? undefined : [...state.orders.values()].find((item) => item.prepayId === prepayId);
    if (!order) return { error: 'prepay_id无效' };
    if (order.appId !== appId) return { error: 'appId与下单时的appid不一致' };
    const merchant = state.merchants.get(order.mchId);
    if (!merchant) return { error: '商户不存在' };
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') return { error: '该订单已支付' };
    if (order.tradeState === 'CLOSED') return { error: '该订单已关闭' };
    if (state.now() >= order.prepayExpiresAt) return { error: 'prepay_id已过期' };
    // Through jweixin a missing signType arrives as "SHA1", which neither v2 nor v3 accepts. A v3 order
    // (placed with RSA) wants signType RSA and a paySign by the merchant's API key; a v2 order its v2 sign type.
    if (order.signType === 'RSA') {
      if (signType !== 'RSA') return { error: '支付验证签名失败 (signType)' };
      if (!merchant.v3 || !verifyJsapiPaySignV3(params, merchant.v3.merchantPublicKey)) {
        return { error: '支付验证签名失败' };
      }
    } else {
      if (!isSignType(signType) || signType !== order.signType)
        return { error: '支付验证签名失败 (signType)' };
      if (!verifyJsapiPaySign(params, merchant.key)) return { error: '支付验证签名失败' };
    }
    let pageUrl: URL;
    try {
      pageUrl = new URL(str(body.url));
    } catch {
      return { error: '当前页面的URL未注册' };
    }
    if (!isUnderPayDirectory(pageUrl, merchant.payDirectories)) {
      return { error: `当前页面的URL未注册：${pageUrl.origin}${pageUrl.pathname}` };
    }
    return { order, merchant };
  }

  bridge.post('/pay/prepare', async (ctx) => {
    const checked = checkPayment(await readBody(ctx));
    if ('error' in checked) return void (ctx.body = { ok: false, err_desc: checked.error });
    const user = findUserByOpenid(state, checked.order.appId, checked.order.openid);
    ctx.body = {
      ok: true,
      order: {
        merchantName: checked.merchant.name,
        totalFee: checked.order.totalFee,
        body: checked.order.body,
        outTradeNo: checked.order.outTradeNo,
        userNickname: user?.nickname ?? '',
      },
    };
  });

  bridge.post('/pay', async (ctx) => {
    const checked = checkPayment(await readBody(ctx));
    if ('error' in checked) return void (ctx.body = { ok: false, err_desc: checked.error });
    try {
      ctx.body = { ok: true, transactionId: payService.payOrder(checked.order) };
    } catch (error) {
      if (!(error instanceof PayOrderError)) throw error;
      ctx.body = { ok: false, err_desc: error.message };
    }
  });

  bridge.post('/pay/cancel', (ctx) => {
    ctx.body = { ok: true };
  });

  router.use(bridge.routes(), bridge.allowedMethods());
  return router;
}
