export { API_ERRORS, isApiErrorSlug } from './errors';
export type { ApiErrorSlug } from './errors';
export { apiFailureSchema, isApiFailure } from './envelope';
export type { ApiEnvelope, ApiFailure, ApiSuccess } from './envelope';
export { AUTH_DENIED_PARAM, AUTH_DENIED_VALUE, ROUTES } from './routes';
export {
  getOpenIdQuerySchema,
  logoutEverywhereResultSchema,
  logoutResultSchema,
  oauthScopeSchema,
  openIdSchema,
  oauthStateSchema,
  redirectQuerySchema,
  revokeSessionsResultSchema,
  userInfoSchema,
} from './auth';
export type {
  GetOpenIdQuery,
  LogoutEverywhereResult,
  LogoutResult,
  OAuthScope,
  RedirectQuery,
  RevokeSessionsResult,
  UserInfo,
} from './auth';
export { JS_API_LIST, jssdkConfigSchema, jssdkQuerySchema } from './jssdk';
export type { JssdkConfig, JssdkQuery } from './jssdk';
export {
  MAX_AMOUNT_FEN,
  MAX_DESCRIPTION_BYTES,
  MAX_DESCRIPTION_LENGTH,
  MAX_PRODUCT_DETAILS_LENGTH,
  MAX_QUANTITY,
  MAX_REFUND_REASON_BYTES,
  MIN_AMOUNT_FEN,
} from './limits';
export {
  adminProductListSchema,
  adminProductViewSchema,
  productIdSchema,
  productListSchema,
  productUpsertSchema,
  productViewSchema,
} from './products';
export type {
  AdminProductList,
  AdminProductView,
  ProductId,
  ProductList,
  ProductUpsert,
  ProductView,
} from './products';
export {
  jsapiPayParamsSchema,
  orderStatusSchema,
  orderViewSchema,
  ordersPageSchema,
  ordersQuerySchema,
  outTradeNoSchema,
  payWalletRequestSchema,
  payWalletResponseSchema,
  prepayOrderResponseSchema,
  refundRequestSchema,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeySchema,
  refundStatusSchema,
  refundViewSchema,
  signSchemeSchema,
} from './pay';
export type {
  JsapiPayParamsView,
  OrderStatus,
  OrderView,
  OrdersPage,
  OrdersQuery,
  PayWalletRequest,
  PayWalletResponse,
  PrepayOrderResponse,
  RefundRequest,
  RefundStatus,
  RefundView,
  SignScheme,
} from './pay';
export { healthSchema, readinessSchema } from './health';
export type { Health, Readiness } from './health';
