// The control API under /__emulator/ (JSON in and out) for tests and demos: register apps, merchants and
// users, steer OAuth, inject faults, move the clock, read counters and the notify log, reset.
import { Router } from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { ControlInputError } from '../http/control-input-error';
import { queryParam } from '../http/query';
import { parseJsonObject, readRawBody } from '../http/read-body';
import type { NotifyDelivery } from '../notify-delivery';
import { PayOrderError } from '../pay-service';
import type { PayService } from '../pay-service';
import { buildAvatarSvg } from '../pages/avatar-svg';
import { buildHomePage } from '../pages/home-page';
import { DEMO_APP_ID, openidFor, orderKey, resetEmulatorState } from '../state';
import { describeWechatpayKeys, readMerchantV3 } from '../v3/merchant-v3-input';
import type { EmulatorOrder, EmulatorState, FaultKind } from '../state';

const FAULT_KINDS: readonly FaultKind[] = [
  'http500',
  'timeout',
  'busy',
  'token_invalid',
  'systemerror',
  'frequency_limited',
  'drop',
];
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export { ControlInputError };

async function readJson(ctx: ParameterizedContext): Promise<Record<string, unknown>> {
  const body = parseJsonObject(await readRawBody(ctx.req, 64 * 1024));
  if (!body) throw new ControlInputError('body must be a JSON object');
  return body;
}

function requireString(body: Record<string, unknown>, name: string, pattern?: RegExp): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '')
    throw new ControlInputError(`${name} must be a non-empty string`);
  if (pattern && !pattern.test(value)) throw new ControlInputError(`${name} has an invalid format`);
  return value;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ControlInputError(`${name} must be a string`);
  return value;
}

function stringArray(body: Record<string, unknown>, name: string, required: boolean): string[] | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (
    !Array.isArray(value) ||
    !value.every((item): item is string => typeof item === 'string' && item !== '')
  ) {
    throw new ControlInputError(`${name} must be an array of non-empty strings`);
  }
  return value;
}

export interface ControlRoutesDeps {
  notifier: NotifyDelivery;
  payService: PayService;
}

function findOrder(state: EmulatorState, outTradeNo: string, mchId: string | undefined): EmulatorOrder {
  const order =
    mchId === undefined
      ? [...state.orders.values()].find((candidate) => candidate.outTradeNo === outTradeNo)
      : state.orders.get(orderKey(mchId, outTradeNo));
  if (!order) throw new ControlInputError('ORDERNOTEXIST: no such order', 404);
  return order;
}

/** The order as the emulator sees it, in WeChat's wire names. */
function describeOrder(order: EmulatorOrder): Record<string, unknown> {
  return {
    mch_id: order.mchId,
    appid: order.appId,
    out_trade_no: order.outTradeNo,
    trade_state: order.tradeState,
    total_fee: order.totalFee,
    fee_type: order.feeType,
    body: order.body,
    attach: order.attach,
    trade_type: order.tradeType,
    openid: order.openid,
    notify_url: order.notifyUrl,
    sign_type: order.signType,
    prepay_id: order.prepayId,
    prepay_expires_at: order.prepayExpiresAt,
    transaction_id: order.transactionId ?? null,
    paid_at: order.paidAt ?? null,
    refunded_fee: order.refundedFee,
    created_at: order.createdAt,
  };
}

export function createControlRoutes(state: EmulatorState, deps: ControlRoutesDeps): Router {
  const router = new Router({ prefix: '/__emulator' });

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof ControlInputError)) throw error;
      ctx.status = error.status;
      ctx.body = { error: error.message };
    }
  });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = buildHomePage(state, deps.notifier.log(), `${ctx.protocol}://${ctx.host}`);
  });

  router.post('/reset', (ctx) => {
    deps.notifier.cancelPending();
    deps.notifier.clearLog();
    resetEmulatorState(state);
    ctx.body = { ok: true };
  });

  router.post('/apps', async (ctx) => {
    const body = await readJson(ctx);
    const appId = requireString(body, 'appId', /^wx[0-9a-zA-Z]{1,30}$/);
    const appSecret = requireString(body, 'appSecret');
    const oauthDomains = stringArray(body, 'oauthDomains', true) ?? [];
    const jsDomains = stringArray(body, 'jsDomains', true) ?? [];
    const ipWhitelist = stringArray(body, 'ipWhitelist', false);
    state.apps.set(appId, {
      appId,
      appSecret,
      oauthDomains,
      jsDomains,
      name: optionalString(body, 'name') ?? appId,
      ...(ipWhitelist === undefined ? {} : { ipWhitelist }),
    });
    ctx.status = 201;
    ctx.body = { appId };
  });

  router.post('/merchants', async (ctx) => {
    const body = await readJson(ctx);
    const mchId = requireString(body, 'mchId', /^[0-9A-Za-z]{1,32}$/);
    const existing = state.merchants.get(mchId);
    const v3 = body.v3 === undefined ? existing?.v3 : await readMerchantV3(body.v3, mchId, existing?.v3);
    // A v3-only merchant has no v2 key; without v3, the v2 key is required as before.
    const key = v3 !== undefined && body.key === undefined ? '' : requireString(body, 'key');
    if (key !== '' && key.length !== 32)
      throw new ControlInputError('key must be the 32-character API v2 key');
    const appIds = stringArray(body, 'appIds', true) ?? [];
    for (const appId of appIds) {
      if (!state.apps.has(appId)) throw new ControlInputError(`unknown app ${appId}`);
    }
    // Without explicit pay directories, any path on the bound apps' JS-safe domains may pay.
    const payDirectories =
      stringArray(body, 'payDirectories', false) ??
      appIds.flatMap((appId) =>
        (state.apps.get(appId)?.jsDomains ?? []).flatMap((domain) => [
          `http://${domain}/`,
          `https://${domain}/`,
        ]),
      );
    state.merchants.set(mchId, {
      mchId,
      key,
      ...(v3 === undefined ? {} : { v3 }),
      appIds,
      payDirectories,
      name: optionalString(body, 'name') ?? mchId,
    });
    ctx.status = 201;
    ctx.body = { mchId, ...(v3 === undefined ? {} : { v3: describeWechatpayKeys(v3) }) };
  });

  router.get('/merchants/:mchId/wechatpay-keys', (ctx) => {
    const merchant = state.merchants.get(ctx.params.mchId ?? '');
    if (!merchant) throw new ControlInputError('unknown merchant', 404);
    if (!merchant.v3) throw new ControlInputError('the merchant has no API v3 material', 404);
    ctx.body = describeWechatpayKeys(merchant.v3);
  });

  router.post('/refund-outcome', async (ctx) => {
    const body = await readJson(ctx);
    const status = body.status;
    if (status !== 'SUCCESS' && status !== 'ABNORMAL' && status !== 'CLOSED') {
      throw new ControlInputError("status must be 'SUCCESS', 'ABNORMAL' or 'CLOSED'");
    }
    state.refundOutcome = status;
    ctx.body = { status };
  });

  // The merchant platform's refund button: notifies in v2 XML when the merchant has a v2 key, else in v3.
  router.post('/orders/:outTradeNo/refund', async (ctx) => {
    const body = await readJson(ctx);
    const order = findOrder(state, ctx.params.outTradeNo ?? '', optionalString(body, 'mchId'));
    const refundFee = body.refundFee ?? order.totalFee - order.refundedFee;
    if (typeof refundFee !== 'number' || !Number.isInteger(refundFee) || refundFee < 1) {
      throw new ControlInputError('refundFee must be a positive integer (fen)');
    }
    const outRefundNo = optionalString(body, 'outRefundNo') ?? `console${Date.now()}${state.sequence++}`;
    try {
      const { refund } = deps.payService.createRefund({
        order,
        source: 'console',
        outRefundNo,
        totalFee: order.totalFee,
        refundFee,
        refundDesc: optionalString(body, 'reason') ?? '',
        notifyUrl: '',
      });
      ctx.body = { outRefundNo: refund.outRefundNo, refundId: refund.refundId, status: refund.status };
    } catch (error) {
      if (error instanceof PayOrderError) throw new ControlInputError(`${error.code}: ${error.message}`, 409);
      throw error;
    }
  });

  router.post('/users', async (ctx) => {
    const body = await readJson(ctx);
    const userId = requireString(body, 'userId', ID_PATTERN);
    const nickname = requireString(body, 'nickname');
    state.users.set(userId, { userId, nickname, avatarUrl: optionalString(body, 'avatarUrl') ?? '' });
    ctx.status = 201;
    ctx.body = { userId };
  });

  router.get('/users/:userId/openid', (ctx) => {
    const appId = queryParam(ctx, 'appId') ?? DEMO_APP_ID;
    if (!state.users.has(ctx.params.userId ?? '')) throw new ControlInputError('unknown user', 404);
    if (!state.apps.has(appId)) throw new ControlInputError('unknown app', 404);
    ctx.body = { openid: openidFor(appId, ctx.params.userId ?? '') };
  });

  router.get('/avatars/:userId/:size', (ctx) => {
    const user = state.users.get(ctx.params.userId ?? '');
    if (!user) throw new ControlInputError('unknown user', 404);
    const size = Number(ctx.params.size ?? '');
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = buildAvatarSvg(
      user.userId,
      user.nickname,
      Number.isInteger(size) && size > 0 && size <= 640 ? size : 132,
    );
  });

  router.post('/oauth/auto', async (ctx) => {
    const body = await readJson(ctx);
    const userId = optionalString(body, 'userId');
    if (userId !== undefined) {
      if (!state.users.has(userId)) throw new ControlInputError(`unknown user ${userId}`);
      state.defaultUserId = userId;
    }
    if ('decision' in body) {
      const decision = body.decision;
      if (decision !== null && decision !== 'allow' && decision !== 'deny') {
        throw new ControlInputError("decision must be 'allow', 'deny' or null");
      }
      state.autoDecision = decision;
    }
    ctx.body = { userId: state.defaultUserId, decision: state.autoDecision };
  });

  router.post('/faults', async (ctx) => {
    const body = await readJson(ctx);
    const endpoint = requireString(body, 'endpoint');
    const kind = body.kind;
    if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
      throw new ControlInputError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    const count = body.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new ControlInputError('count must be a positive integer');
    }
    if (kind === 'frequency_limited' && !endpoint.startsWith('/v3/')) {
      throw new ControlInputError('the frequency_limited fault (429) applies to /v3/ endpoints only');
    }
    if ((kind === 'drop') !== (endpoint === 'notify')) {
      throw new ControlInputError(
        "the drop fault applies to endpoint 'notify' only, and 'notify' only takes drop",
      );
    }
    state.faults.push({ endpoint, kind: kind as FaultKind, remaining: count });
    ctx.body = { faults: state.faults };
  });

  router.get('/faults', (ctx) => {
    ctx.body = { faults: state.faults };
  });

  router.post('/notify-settings', async (ctx) => {
    const body = await readJson(ctx);
    if (body.duplicates !== undefined) {
      const duplicates = body.duplicates;
      if (
        typeof duplicates !== 'number' ||
        !Number.isInteger(duplicates) ||
        duplicates < 0 ||
        duplicates > 10
      ) {
        throw new ControlInputError('duplicates must be an integer 0…10');
      }
      state.notifyDuplicates = duplicates;
    }
    ctx.body = { duplicates: state.notifyDuplicates };
  });

  router.post('/clock', async (ctx) => {
    const body = await readJson(ctx);
    const advanceSeconds = body.advanceSeconds;
    if (typeof advanceSeconds !== 'number' || !Number.isFinite(advanceSeconds) || advanceSeconds < 0) {
      throw new ControlInputError('advanceSeconds must be a number ≥ 0');
    }
    state.clockOffsetMs += Math.round(advanceSeconds * 1000);
    ctx.body = { now: state.now(), offsetSeconds: state.clockOffsetMs / 1000 };
  });

  router.get('/counters', (ctx) => {
    ctx.body = {
      apps: Object.fromEntries(state.appCounters),
      endpoints: Object.fromEntries(state.endpointCounters),
    };
  });

  router.post('/orders/:outTradeNo/pay', async (ctx) => {
    const body = await readJson(ctx);
    const order = findOrder(state, ctx.params.outTradeNo ?? '', optionalString(body, 'mchId'));
    try {
      ctx.body = { transactionId: deps.payService.payOrder(order) };
    } catch (error) {
      if (error instanceof PayOrderError) throw new ControlInputError(`${error.code}: ${error.message}`, 409);
      throw error;
    }
  });

  router.get('/orders/:outTradeNo', (ctx) => {
    ctx.body = describeOrder(findOrder(state, ctx.params.outTradeNo ?? '', queryParam(ctx, 'mchId')));
  });

  router.post('/notifies/:outTradeNo/resend', async (ctx) => {
    const body = await readJson(ctx);
    const order = findOrder(state, ctx.params.outTradeNo ?? '', optionalString(body, 'mchId'));
    if (order.transactionId === undefined) throw new ControlInputError('the order is not paid', 409);
    ctx.body = await deps.notifier.resend(deps.payService.buildPayNotifyJob(order));
  });

  // A WECHATPAY/SIGNTEST/ probe of the order's (v3) pay notify: the log entry says whether the merchant refused it.
  router.post('/notifies/:outTradeNo/probe', async (ctx) => {
    const body = await readJson(ctx);
    const order = findOrder(state, ctx.params.outTradeNo ?? '', optionalString(body, 'mchId'));
    if (order.signType !== 'RSA')
      throw new ControlInputError('signature probes are API v3 notifies: the order is v2', 409);
    if (order.transactionId === undefined) throw new ControlInputError('the order is not paid', 409);
    const entry = await deps.notifier.probe(deps.payService.buildPayNotifyJob(order));
    ctx.body = { ...entry, refused: entry.ok };
  });

  router.get('/notifies', (ctx) => {
    ctx.body = deps.notifier.log();
  });

  router.get('/shares', (ctx) => {
    ctx.body = state.shares;
  });

  return router;
}
