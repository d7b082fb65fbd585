import type { OrderView, ProductView, UserInfo } from '@wxh5/contracts';

/** The mock's one signed-in user (the H5's mock mode has no WeChat login to go through). */
export const MOCK_USER: UserInfo = {
  openId: 'oMockOpenId0000000000000000A',
  nickname: 'Mia Mock',
  avatarUrl: '',
  scope: 'snsapi_userinfo',
};

export const MOCK_APP_ID = 'wx0000000000000000';

/** What the mock sells: the demo's products (ids and prices as the api seeds them with SEED_DEMO_PRODUCTS). */
export const MOCK_PRODUCTS: ProductView[] = [
  { id: 'course', title: 'TypeScript course', description: '', priceFen: 19_900, allowCustomAmount: false },
  { id: 'vip-month', title: 'VIP month', description: '', priceFen: 3_000, allowCustomAmount: false },
  { id: 'tip', title: 'Tip', description: '', priceFen: 500, allowCustomAmount: true },
];

/** An order as payWallet prices it: the product, its unit price (or the custom amount) and the units. */
export interface MockOrderInput {
  productId: string;
  unitPriceFen: number;
  quantity: number;
  description: string;
}

/**
 * What the mock api remembers while the page is open: the session, the orders and the prepay ids the fake
 * cashier pays. Shared by the handlers (what the "server" answers) and the fake bridge (what "WeChat" does).
 */
export interface MockStore {
  user: UserInfo;
  signedIn: boolean;
  /** Newest last. */
  orders: OrderView[];
  createOrder(input: MockOrderInput): { order: OrderView; prepayId: string };
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
    orders: [],
    createOrder({ productId, unitPriceFen, quantity, description }) {
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
