import {
  API_ERRORS,
  JS_API_LIST,
  ROUTES,
  ordersQuerySchema,
  outTradeNoSchema,
  payWalletRequestSchema,
} from '@wxh5/contracts';
import type {
  ApiErrorSlug,
  ApiFailure,
  ApiSuccess,
  Health,
  JssdkConfig,
  LogoutResult,
  OrderView,
  OrdersPage,
  PayWalletResponse,
  PrepayOrderResponse,
  ProductList,
  Readiness,
  UserInfo,
} from '@wxh5/contracts';
import { HttpResponse, http } from 'msw';
import type { HttpHandler } from 'msw';
import { MOCK_APP_ID, priceOrder, type MockStore, type PricingRefusal } from './mock-store';

/** What every mocked route answers: the api's envelope, its data typed by the route's contract. */
type Envelope<T> = ApiSuccess<T> | ApiFailure;

function ok<T>(data: T, status = 200) {
  return HttpResponse.json<Envelope<T>>({ code: 0, data }, { status });
}

/** A failure as the api words it: the contract's code and HTTP status for the slug. */
export function mockFailure(slug: ApiErrorSlug, message: string) {
  const { code, status } = API_ERRORS[slug];
  return HttpResponse.json<ApiFailure>({ code, error: slug, message }, { status });
}

const unauthenticated = () => mockFailure('unauthenticated', 'Please sign in with WeChat.');

/** The api's words for each pricing refusal (developers read them; the page words the slug). */
const REFUSALS = {
  unknown_product: 'No such product.',
  product_inactive: 'This product is no longer sold.',
  custom_amount_not_allowed: 'This product has a fixed price: send quantity, not amountFen.',
  invalid_amount: 'The total must be an integer number of fen between 1 and 100000000.',
} as const satisfies Record<PricingRefusal, string>;

/**
 * Mock Service Worker handlers for every route the H5 calls, answering like `@wxh5/api` from an in-memory
 * `MockStore`: the same paths (`ROUTES`), the same request schemas (a bad amount is a 400 `invalid_amount`), the
 * same envelopes and data types. payWallet is priced here, from the store's catalog, as the api prices it: a client
 * amount for a fixed-price product is refused (`custom_amount_not_allowed`), never used. Used by `pnpm dev:mock`
 * in the browser and by the component tests in Node.
 */
export function createHandlers(store: MockStore): HttpHandler[] {
  const signedIn = () => store.signedIn;
  return [
    http.get(ROUTES.healthz, () => HttpResponse.json<Health>({ status: 'ok' })),
    http.get(ROUTES.readyz, () => HttpResponse.json<Readiness>({ status: 'ok', checks: { database: 'ok' } })),

    http.get(ROUTES.getUserInfo, () => (signedIn() ? ok<UserInfo>(store.user) : unauthenticated())),

    http.post(ROUTES.logout, () => {
      store.signedIn = false;
      return ok<LogoutResult>({ loggedOut: true });
    }),

    http.get(ROUTES.jssdk, ({ request }) => {
      const url = new URL(request.url).searchParams.get('url');
      if (!url || !/^https?:\/\//.test(url))
        return mockFailure('invalid_url', 'url must be an absolute http(s) URL.');
      return ok<JssdkConfig>({
        appId: MOCK_APP_ID,
        timestamp: Math.floor(Date.now() / 1000),
        nonceStr: 'mocknonce',
        signature: 'mock-signature',
        jsApiList: [...JS_API_LIST],
      });
    }),

    // Public, like the api's: the catalog needs no session.
    http.get(ROUTES.products, () =>
      ok<ProductList>({
        products: store.products
          .filter((product) => product.active)
          .map(({ id, title, description, priceFen, allowCustomAmount }) => ({
            id,
            title,
            description,
            priceFen,
            allowCustomAmount,
          })),
      }),
    ),

    http.post(ROUTES.payWallet, async ({ request }) => {
      if (!signedIn()) return unauthenticated();
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return mockFailure('invalid_json', 'The body is not valid JSON.');
      }
      const parsed = payWalletRequestSchema.safeParse(body);
      if (!parsed.success) {
        const amountProblem = parsed.error.issues.some((issue) => issue.path[0] === 'amountFen');
        return amountProblem
          ? mockFailure('invalid_amount', 'amountFen must be an integer between 1 and 100000000.')
          : mockFailure('invalid_request', parsed.error.issues[0]?.message ?? 'Invalid request.');
      }
      const priced = priceOrder(store.products, parsed.data);
      if (!priced.ok) return mockFailure(priced.refusal, REFUSALS[priced.refusal]);
      const { order, prepayId } = store.createOrder(priced.order);
      return ok<PayWalletResponse>(payment(order.outTradeNo, prepayId));
    }),

    http.post(`${ROUTES.orders}/:outTradeNo/prepay`, ({ params }) => {
      if (!signedIn()) return unauthenticated();
      const order = findOrder(store, params.outTradeNo);
      if (!order) return mockFailure('order_not_found', 'No such order.');
      const prepayId = store.prepayIdOf(order.outTradeNo);
      if (prepayId === undefined) {
        return order.status === 'CLOSED'
          ? mockFailure('order_closed', 'The order is closed.')
          : mockFailure('order_already_paid', 'The order is already paid.');
      }
      return ok<PrepayOrderResponse>(payment(order.outTradeNo, prepayId));
    }),

    http.get(ROUTES.orders, ({ request }) => {
      if (!signedIn()) return unauthenticated();
      const query = ordersQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!query.success) return mockFailure('invalid_request', 'limit must be 1…50.');
      const newestFirst = store.orders.toReversed();
      const start = query.data.cursor === undefined ? 0 : Number(query.data.cursor);
      const orders = newestFirst.slice(start, start + query.data.limit);
      const next = start + orders.length;
      return ok<OrdersPage>({ orders, nextCursor: next < newestFirst.length ? String(next) : null });
    }),

    http.get(`${ROUTES.orders}/:outTradeNo`, ({ params }) => {
      if (!signedIn()) return unauthenticated();
      const order = findOrder(store, params.outTradeNo);
      return order ? ok<OrderView>(order) : mockFailure('order_not_found', 'No such order.');
    }),

    http.post(`${ROUTES.orders}/:outTradeNo/close`, ({ params }) => {
      if (!signedIn()) return unauthenticated();
      const order = findOrder(store, params.outTradeNo);
      if (!order) return mockFailure('order_not_found', 'No such order.');
      if (order.status === 'PAID' || order.status === 'REFUNDED') {
        return mockFailure('order_already_paid', 'The order is paid and cannot be closed.');
      }
      return ok<OrderView>(store.close(order.outTradeNo) ?? order);
    }),
  ];
}

/** What payWallet and prepay answer: the cashier's parameters for the fake bridge (it checks only the prepay id). */
function payment(outTradeNo: string, prepayId: string): PayWalletResponse {
  return {
    outTradeNo,
    payParams: {
      appId: MOCK_APP_ID,
      timeStamp: String(Math.floor(Date.now() / 1000)),
      nonceStr: 'mocknonce',
      package: `prepay_id=${prepayId}`,
      signType: 'HMAC-SHA256',
      paySign: 'MOCKPAYSIGN',
    },
  };
}

function findOrder(store: MockStore, raw: string | readonly string[] | undefined): OrderView | undefined {
  const parsed = outTradeNoSchema.safeParse(raw);
  return parsed.success ? store.findOrder(parsed.data) : undefined;
}
