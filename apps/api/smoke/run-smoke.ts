import {
  ROUTES,
  healthSchema,
  jssdkConfigSchema,
  logoutEverywhereResultSchema,
  logoutResultSchema,
  orderViewSchema,
  ordersPageSchema,
  payWalletResponseSchema,
  productListSchema,
  readinessSchema,
  refundViewSchema,
  userInfoSchema,
} from '@wxh5/contracts';
import type { OrderStatus, OrderView, PayWalletRequest, RefundRequest } from '@wxh5/contracts';
import {
  SmokeError,
  createSmokeHttp,
  expectData,
  expectFailure,
  expectRedirect,
  type SmokeHttp,
} from './smoke-http';

export interface SmokeOptions {
  /** The api's origin, e.g. `http://localhost:3000` (what `pnpm dev:backend` prints). */
  apiUrl: string;
  /** The emulator the api talks to, e.g. `http://localhost:4000`: it consents and pays through its control API. */
  emulatorUrl: string;
  /** The api's ADMIN_TOKEN, for the refund; without it the refund steps are skipped (and said to be). */
  adminToken: string | undefined;
  /** The emulator's test user who logs in (seeded: alice, bob, carol). */
  userId: string;
  /** How long to wait for WeChat's notify to settle an order (the emulator delivers it at once). */
  settleTimeoutMs: number;
  /** Called once per finished step with a line for people. */
  onStep: (step: SmokeStep) => void;
  /** Injected for tests; defaults to a pause on the real clock. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SmokeStep {
  name: string;
  detail: string;
}

export interface SmokeReport {
  steps: SmokeStep[];
  openId: string;
  paidOrder: OrderView;
  closedOrder: OrderView;
  skipped: string[];
}

/** The custom-amount product the order to close is bought from (the demo's tip), at this amount. */
const SMOKE_CUSTOM_PRODUCT = 'tip';
const SMOKE_AMOUNT_FEN = 1;
const SMOKE_DESCRIPTION = 'wxh5 smoke';
/** The priced product the paid order buys (the demo's course), at the price the products route says. */
const SMOKE_PRODUCT = 'course';

/**
 * Every route of the api, without the H5, through the emulator: health, the OAuth round trip (the emulator's
 * consent answered automatically through its control API), user info, a JS-SDK signature, the products, an order
 * for a priced product (at the server's price) paid by the emulator (no browser, no cashier) and settled by its
 * notify, the order list, a second order (a custom amount) closed, a full refund through the admin route, logout (a
 * copy of the cookie refused afterwards) and log out everywhere. Each answer is parsed with the schema
 * `@wxh5/contracts` gives its route, so a drift between the contract and the api fails the smoke.
 */
export async function runSmoke(options: SmokeOptions): Promise<SmokeReport> {
  const api = options.apiUrl.replace(/\/+$/, '');
  const emulator = options.emulatorUrl.replace(/\/+$/, '');
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const http = createSmokeHttp();
  const steps: SmokeStep[] = [];
  const skipped: string[] = [];
  const done = (name: string, detail: string) => {
    const step = { name, detail };
    steps.push(step);
    options.onStep(step);
  };

  const health = expectData('healthz', await http.request('GET', api + ROUTES.healthz), healthSchema);
  done('healthz', health.status);
  const ready = expectData('readyz', await http.request('GET', api + ROUTES.readyz), readinessSchema);
  done(
    'readyz',
    `${ready.status} (${Object.entries(ready.checks)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );

  expectFailure(
    'no session yet',
    await http.request('GET', api + ROUTES.getUserInfo),
    401,
    'unauthenticated',
  );
  done('no session yet', '401 unauthenticated');

  await login(http, { api, emulator, userId: options.userId });
  done('login', `${options.userId} through the emulator's consent (snsapi_userinfo)`);

  const user = expectData('getUserInfo', await http.request('GET', api + ROUTES.getUserInfo), userInfoSchema);
  done('getUserInfo', `${user.nickname} ${user.openId} (${user.scope})`);

  const pageUrl = `${api}/`;
  const jssdk = expectData(
    'jssdk',
    await http.request('GET', `${api}${ROUTES.jssdk}?url=${encodeURIComponent(pageUrl)}`),
    jssdkConfigSchema,
  );
  done('jssdk', `signed ${pageUrl} for ${jssdk.jsApiList.join(', ')}`);

  const { products } = expectData(
    'products',
    await http.request('GET', api + ROUTES.products),
    productListSchema,
  );
  const product = products.find((candidate) => candidate.id === SMOKE_PRODUCT);
  if (!product) {
    throw new SmokeError(
      'products',
      `no product "${SMOKE_PRODUCT}" for sale (start the api with SEED_DEMO_PRODUCTS=true, or create it with ` +
        `PUT ${ROUTES.adminProduct(SMOKE_PRODUCT)})`,
    );
  }
  done('products', `${products.length} for sale: ${products.map((p) => `${p.id} ${p.priceFen}`).join(', ')}`);

  const paid = await createOrder(http, api, 'payWallet', { productId: product.id });
  done('payWallet', `${paid.outTradeNo} PENDING, prepay ${paid.prepay}`);
  await emulatorControl(emulator, `/__emulator/orders/${encodeURIComponent(paid.outTradeNo)}/pay`, {});
  const paidOrder = await waitForStatus(http, api, paid.outTradeNo, 'PAID', options.settleTimeoutMs, sleep);
  if (paidOrder.amountFen !== product.priceFen || paidOrder.productId !== product.id) {
    throw new SmokeError(
      'pay at the emulator',
      `the order is ${paidOrder.amountFen} fen for ${paidOrder.productId ?? 'no product'}, not the price of ` +
        `${product.id} (${product.priceFen} fen)`,
    );
  }
  done(
    'pay at the emulator',
    `${paidOrder.outTradeNo} PAID ${paidOrder.amountFen} fen (transaction ${paidOrder.transactionId ?? '?'})`,
  );

  const page = expectData(
    'orders',
    await http.request('GET', `${api}${ROUTES.orders}?limit=5`),
    ordersPageSchema,
  );
  if (!page.orders.some((order) => order.outTradeNo === paid.outTradeNo)) {
    throw new SmokeError('orders', `the list does not show ${paid.outTradeNo}`);
  }
  done('orders', `${page.orders.length} order(s), newest ${page.orders[0]?.outTradeNo ?? '-'}`);

  const toClose = await createOrder(http, api, 'payWallet (to close)', {
    productId: SMOKE_CUSTOM_PRODUCT,
    amountFen: SMOKE_AMOUNT_FEN,
  });
  const closedOrder = expectData(
    'closeOrder',
    await http.request('POST', api + ROUTES.closeOrder(toClose.outTradeNo)),
    orderViewSchema,
  );
  if (closedOrder.status !== 'CLOSED') {
    throw new SmokeError('closeOrder', `expected CLOSED, got ${closedOrder.status}`);
  }
  done('closeOrder', `${closedOrder.outTradeNo} CLOSED`);

  if (options.adminToken === undefined) {
    skipped.push('refund (no admin token: pass --admin-token, the api must have ADMIN_TOKEN set)');
  } else {
    const refundRequest = {
      amountFen: paidOrder.amountFen,
      reason: SMOKE_DESCRIPTION,
    } satisfies RefundRequest;
    const refund = expectData(
      'admin refund',
      await http.request('POST', api + ROUTES.adminRefund(paid.outTradeNo), {
        json: refundRequest,
        headers: { authorization: `Bearer ${options.adminToken}` },
      }),
      refundViewSchema,
    );
    done('admin refund', `${refund.outRefundNo} ${refund.status}`);
    const refunded = await waitForStatus(
      http,
      api,
      paid.outTradeNo,
      'REFUNDED',
      options.settleTimeoutMs,
      sleep,
    );
    done('refund settled', `${refunded.outTradeNo} REFUNDED (${refunded.refundedFen} fen)`);
  }

  // A copy of the cookie, as someone who captured it would keep it: the logout must revoke it server-side.
  const captured = `openId=${http.cookie('openId') ?? ''}; openId.sig=${http.cookie('openId.sig') ?? ''}`;
  expectData('logout', await http.request('POST', api + ROUTES.logout), logoutResultSchema);
  expectFailure('after logout', await http.request('GET', api + ROUTES.getUserInfo), 401, 'unauthenticated');
  expectFailure(
    'a copy of the cookie after logout',
    await createSmokeHttp().request('GET', api + ROUTES.getUserInfo, { headers: { cookie: captured } }),
    401,
    'unauthenticated',
  );
  done('logout', 'the session is revoked (401 afterwards, also for a copy of its cookie)');

  // Two devices of the same user; one logs out everywhere, the other is refused too.
  const otherDevice = createSmokeHttp();
  await login(http, { api, emulator, userId: options.userId });
  await login(otherDevice, { api, emulator, userId: options.userId });
  expectData(
    'logoutEverywhere',
    await http.request('POST', api + ROUTES.logoutEverywhere),
    logoutEverywhereResultSchema,
  );
  expectFailure(
    'the other device after logoutEverywhere',
    await otherDevice.request('GET', api + ROUTES.getUserInfo),
    401,
    'unauthenticated',
  );
  done('logoutEverywhere', 'both sessions of the user refused afterwards');

  return { steps, openId: user.openId, paidOrder, closedOrder, skipped };
}

/** The OAuth round trip a browser makes: api redirect → emulator authorize (auto-consent) → api getOpenId. */
async function login(http: SmokeHttp, at: { api: string; emulator: string; userId: string }): Promise<void> {
  await emulatorControl(at.emulator, '/__emulator/oauth/auto', { userId: at.userId, decision: 'allow' });
  const callback = `${at.api}/`;
  const authorizeUrl = expectRedirect(
    'login: redirect',
    await http.request(
      'GET',
      `${at.api}${ROUTES.redirect}?callback=${encodeURIComponent(callback)}&scope=snsapi_userinfo`,
    ),
  );
  const getOpenIdUrl = expectRedirect('login: emulator authorize', await http.request('GET', authorizeUrl));
  const back = expectRedirect('login: getOpenId', await http.request('GET', getOpenIdUrl));
  if (back !== callback) throw new SmokeError('login: getOpenId', `sent back to ${back}, not ${callback}`);
  if (!http.cookie('openId')) throw new SmokeError('login: getOpenId', 'no session cookie was set');
}

async function createOrder(
  http: SmokeHttp,
  api: string,
  step: string,
  request: PayWalletRequest,
): Promise<{ outTradeNo: string; prepay: string }> {
  const payment = expectData(
    step,
    await http.request('POST', api + ROUTES.payWallet, { json: request }),
    payWalletResponseSchema,
  );
  return { outTradeNo: payment.outTradeNo, prepay: payment.payParams.package };
}

/** Ask the order route (which also reconciles with WeChat) until the order reaches `status`. */
async function waitForStatus(
  http: SmokeHttp,
  api: string,
  outTradeNo: string,
  status: OrderStatus,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<OrderView> {
  const step = `order ${outTradeNo} → ${status}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = expectData(
      step,
      await http.request('GET', api + ROUTES.order(outTradeNo)),
      orderViewSchema,
    );
    if (order.status === status) return order;
    if (Date.now() > deadline) {
      throw new SmokeError(
        step,
        `still ${order.status} after ${timeoutMs} ms (did the notify reach the api?)`,
      );
    }
    await sleep(100);
  }
}

/** A POST to the emulator's control API (`/__emulator/…`, JSON). */
async function emulatorControl(emulator: string, path: string, body: unknown): Promise<void> {
  let response: Response;
  try {
    response = await fetch(emulator + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new SmokeError(
      `emulator ${path}`,
      `the emulator does not answer at ${emulator} (${String(error)})`,
    );
  }
  if (!response.ok) {
    throw new SmokeError(`emulator ${path}`, `HTTP ${response.status}: ${await response.text()}`);
  }
}
