/**
 * Every failure the API answers with, by stable slug. `code` is the envelope's numeric code, `status` the HTTP
 * status. Clients branch on `error` (the slug), never on `message`.
 */
export const API_ERRORS = {
  invalid_request: { code: 40000, status: 400 },
  invalid_json: { code: 40001, status: 400 },
  invalid_callback: { code: 40002, status: 400 },
  invalid_scope: { code: 40003, status: 400 },
  invalid_state: { code: 40004, status: 400 },
  invalid_url: { code: 40005, status: 400 },
  invalid_amount: { code: 40006, status: 400 },
  oauth_code_rejected: { code: 40007, status: 400 },
  /** payWallet named a product the catalog does not have. */
  unknown_product: { code: 40008, status: 400 },
  /** payWallet named a product that is no longer sold (inactive). */
  product_inactive: { code: 40009, status: 400 },
  /** payWallet sent amountFen for a product with a fixed price: the server's price is the only price. */
  custom_amount_not_allowed: { code: 40010, status: 400 },
  unauthenticated: { code: 40100, status: 401 },
  admin_unauthorized: { code: 40101, status: 401 },
  forbidden: { code: 40300, status: 403 },
  not_found: { code: 40400, status: 404 },
  order_not_found: { code: 40401, status: 404 },
  user_not_found: { code: 40402, status: 404 },
  method_not_allowed: { code: 40500, status: 405 },
  order_already_paid: { code: 40900, status: 409 },
  order_closed: { code: 40901, status: 409 },
  order_not_paid: { code: 40902, status: 409 },
  refund_exceeds_paid: { code: 40903, status: 409 },
  payload_too_large: { code: 41300, status: 413 },
  idempotency_key_reused: { code: 42200, status: 422 },
  rate_limited: { code: 42900, status: 429 },
  unsupported_media_type: { code: 41500, status: 415 },
  wechat_error: { code: 50200, status: 502 },
  wechat_unavailable: { code: 50300, status: 503 },
  not_ready: { code: 50301, status: 503 },
  database_unavailable: { code: 50302, status: 503 },
  internal_error: { code: 50000, status: 500 },
} as const satisfies Record<string, { code: number; status: number }>;

export type ApiErrorSlug = keyof typeof API_ERRORS;

export function isApiErrorSlug(value: unknown): value is ApiErrorSlug {
  return typeof value === 'string' && Object.hasOwn(API_ERRORS, value);
}
