/** Route paths, shared so that the api mounts and the h5 calls the same strings. */
export const ROUTES = {
  redirect: '/api/wechat/redirect',
  getOpenId: '/api/wechat/getOpenId',
  getUserInfo: '/api/wechat/getUserInfo',
  logout: '/api/wechat/logout',
  /** Revoke every session of the logged-in user, on every device (bumps the user's session version). */
  logoutEverywhere: '/api/wechat/logout-everywhere',
  jssdk: '/api/wechat/jssdk',
  /** The active products, as the H5 lists them (no session needed). */
  products: '/api/wechat/pay/products',
  payWallet: '/api/wechat/pay/payWallet',
  orders: '/api/wechat/pay/orders',
  order: (outTradeNo: string) => `/api/wechat/pay/orders/${encodeURIComponent(outTradeNo)}`,
  closeOrder: (outTradeNo: string) => `/api/wechat/pay/orders/${encodeURIComponent(outTradeNo)}/close`,
  /** Pay a PENDING order again: pay params for the same out_trade_no (409 `order_closed` once it has expired). */
  prepayOrder: (outTradeNo: string) => `/api/wechat/pay/orders/${encodeURIComponent(outTradeNo)}/prepay`,
  payCallback: '/api/wechat/pay/callback',
  refundCallback: '/api/wechat/pay/refund-callback',
  adminRefund: (outTradeNo: string) => `/api/admin/orders/${encodeURIComponent(outTradeNo)}/refund`,
  adminProducts: '/api/admin/products',
  adminProduct: (productId: string) => `/api/admin/products/${encodeURIComponent(productId)}`,
  /** Support: revoke every session of a user (a lost phone). */
  adminRevokeSessions: (openId: string) => `/api/admin/users/${encodeURIComponent(openId)}/sessions/revoke`,
  healthz: '/healthz',
  readyz: '/readyz',
  openapi: '/api/openapi.json',
} as const;

/** Query parameter the api appends to the OAuth callback when the user declined consent. */
export const AUTH_DENIED_PARAM = 'wx_auth';
export const AUTH_DENIED_VALUE = 'denied';
