import { MAX_AMOUNT_FEN } from '@wxh5/contracts/limits';
import type { OrderView, PayWalletRequest, UserInfo } from '@wxh5/contracts';
import { DEMO_PRODUCTS, type DemoProduct } from '@wxh5/contracts/demo-products';

/** The mock's one signed-in user (the H5's mock mode has no WeChat login to go through). */
export const MOCK_USER: UserInfo = {
  openId: 'oMockOpenId0000000000000000A',
  nickname: 'Mia Mock',
  avatarUrl: '',
  scope: 'snsapi_userinfo',
};

export const MOCK_APP_ID = 'wx0000000000000000';

/** What the server priced: the product, its unit price and the units (the order's amount is their product). */
export interface PricedOrder {
  productId: string;
  description: string;
  unitPriceFen: number;
  quantity: number;
}

/**
 * What the mock api remembers while the page is open: the session, the orders and the prepay ids the fake
 * cashier pays. Shared by the handlers (what the "server" answers) and the fake bridge (what "WeChat" does).
 */
/** Why the mock server refuses to price a payWallet request: the api's slugs for it. */
export type PricingRefusal =
  'unknown_product' | 'product_inactive' | 'custom_amount_not_allowed' | 'invalid_amount';

/**
 * Price a payWallet request as the api does: the product's own price times the quantity (default 1); a client amount
 * only for a product that allows a custom amount, and never above the api's limit. The description is the title.
 */
export function priceOrder(
  products: readonly DemoProduct[],
  request: PayWalletRequest,
): { ok: true; order: PricedOrder } | { ok: false; refusal: PricingRefusal } {
  const product = products.find((candidate) => candidate.id === request.productId);
  if (!product) return { ok: false, refusal: 'unknown_product' };
  if (!product.active) return { ok: false, refusal: 'product_inactive' };
  if (request.amountFen !== undefined && !product.allowCustomAmount) {
    return { ok: false, refusal: 'custom_amount_not_allowed' };
  }
  const [unitPriceFen, quantity] =
    request.amountFen === undefined ? [product.priceFen, request.quantity ?? 1] : [request.amountFen, 1];
  if (unitPriceFen * quantity > MAX_AMOUNT_FEN) return { ok: false, refusal: 'invalid_amount' };
  return { ok: true, order: { productId: product.id, description: product.title, unitPriceFen, quantity } };
}

export interface MockStore {
  user: UserInfo;
  signedIn: boolean;
  /** The catalog, inactive products included (a test may deactivate one). */
  products: DemoProduct[];
  /** Newest last. */
  orders: OrderView[];
  createOrder(input: PricedOrder): { order: OrderView; prepayId: string };
  findOrder(outTradeNo: string): OrderView | undefined;
  /** The prepay id of a PENDING order, to pay it again (the api's `prepay` route); undefined otherwise. */
  prepayIdOf(outTradeNo: string): string | undefined;
  /** The order a prepay id belongs to, if it is still payable. */
  payableOrderOf(prepayId: string): OrderView | undefined;
  /** What WeChat's notify does on the server: PENDING → PAID. */
  markPaid(outTradeNo: string): OrderView | undefined;
  close(outTradeNo: string): OrderView | undefined;
}

export interface MockStoreOptions {
  now?: () => Date;
  user?: UserInfo;
  signedIn?: boolean;
}

/** A fresh store (each test builds its own; the mock page builds one per load). */
export function createMockStore(options: MockStoreOptions = {}): MockStore {
  const now = options.now ?? (() => new Date());
  const prepayIds = new Map<string, string>();
  let sequence = 0;

  const store: MockStore = {
    user: options.user ?? MOCK_USER,
    signedIn: options.signedIn ?? true,
    products: DEMO_PRODUCTS.map((product) => ({ ...product })),
    orders: [],
    createOrder({ productId, description, unitPriceFen, quantity }) {
      sequence += 1;
      const stamp = now()
        .toISOString()
        .replace(/[^0-9]/g, '')
        .slice(0, 14);
      const outTradeNo = `MOCK${stamp}${String(sequence).padStart(4, '0')}`;
      const order: OrderView = {
        outTradeNo,
        amountFen: unitPriceFen * quantity,
        description,
        status: 'PENDING',
        createdAt: now().toISOString(),
        refundedFen: 0,
        productId,
        unitPriceFen,
        quantity,
      };
      store.orders.push(order);
      const prepayId = `wxmock${outTradeNo}`;
      prepayIds.set(prepayId, outTradeNo);
      return { order, prepayId };
    },
    findOrder: (outTradeNo) => store.orders.find((order) => order.outTradeNo === outTradeNo),
    prepayIdOf(outTradeNo) {
      if (store.findOrder(outTradeNo)?.status !== 'PENDING') return undefined;
      return [...prepayIds].find(([, owner]) => owner === outTradeNo)?.[0];
    },
    payableOrderOf(prepayId) {
      const outTradeNo = prepayIds.get(prepayId);
      const order = outTradeNo === undefined ? undefined : store.findOrder(outTradeNo);
      return order?.status === 'PENDING' ? order : undefined;
    },
    markPaid(outTradeNo) {
      const order = store.findOrder(outTradeNo);
      if (order?.status !== 'PENDING') return undefined;
      order.status = 'PAID';
      order.paidAt = now().toISOString();
      order.transactionId = `4200000000${String(Date.parse(order.paidAt)).slice(-8)}${String(sequence).padStart(4, '0')}`;
      return order;
    },
    close(outTradeNo) {
      const order = store.findOrder(outTradeNo);
      if (order?.status !== 'PENDING') return undefined;
      order.status = 'CLOSED';
      return order;
    },
  };
  return store;
}
