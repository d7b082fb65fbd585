import { z } from 'zod';
import { MAX_AMOUNT_FEN, MAX_REFUND_REASON_BYTES, MAX_QUANTITY, MIN_AMOUNT_FEN } from './limits';
import { productIdSchema } from './products';

const utf8 = new TextEncoder();
/** WeChat counts UTF-8 bytes, not characters: 27 Chinese characters are 81 bytes. */
const utf8Bytes = (value: string) => utf8.encode(value).length;

/** Order lifecycle: PENDING → PAID | CLOSED; PAID → REFUNDED (fully). Partial refunds keep PAID. */
export const orderStatusSchema = z.enum(['PENDING', 'PAID', 'CLOSED', 'REFUNDED']);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** ≤ 32 chars of [0-9A-Za-z]. */
export const outTradeNoSchema = z.string().regex(/^[0-9A-Za-z]{1,32}$/);

/**
 * `POST /api/wechat/pay/payWallet`: buy a product. The server prices the order — `quantity` (default 1) units at the
 * product's own price; the description is the product's title. `amountFen` is accepted only for a product that
 * allows a custom amount (a tip), and then without `quantity`; for a priced product it is refused
 * (`custom_amount_not_allowed`), never used. Unknown fields are rejected.
 */
export const payWalletRequestSchema = z
  .strictObject({
    productId: productIdSchema,
    quantity: z.number().int().min(1).max(MAX_QUANTITY).optional(),
    amountFen: z.number().int().min(MIN_AMOUNT_FEN).max(MAX_AMOUNT_FEN).optional(),
  })
  .refine((body) => body.quantity === undefined || body.amountFen === undefined, {
    message: 'a custom amount is paid once: send amountFen or quantity, not both',
    path: ['quantity'],
  });
export type PayWalletRequest = z.infer<typeof payWalletRequestSchema>;

/**
 * How WeChat Pay signs: API v2 with MD5 or HMAC-SHA256 (the API key), API v3 with RSA (the merchant's private key).
 * An order remembers the scheme it was placed with; the H5's `chooseWXPay` passes it through as `signType`.
 */
export const signSchemeSchema = z.enum(['MD5', 'HMAC-SHA256', 'RSA']);
export type SignScheme = z.infer<typeof signSchemeSchema>;

/** Exactly the object `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` takes (note `timeStamp`, capital S). */
export const jsapiPayParamsSchema = z.object({
  appId: z.string(),
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: signSchemeSchema,
  paySign: z.string(),
});
export type JsapiPayParamsView = z.infer<typeof jsapiPayParamsSchema>;

export const payWalletResponseSchema = z.object({
  outTradeNo: z.string(),
  payParams: jsapiPayParamsSchema,
});
export type PayWalletResponse = z.infer<typeof payWalletResponseSchema>;

/** `POST /api/wechat/pay/orders/:outTradeNo/prepay` (no body) → data: the same shape as payWallet's answer. */
export const prepayOrderResponseSchema = payWalletResponseSchema;
export type PrepayOrderResponse = PayWalletResponse;

/** `GET /api/wechat/pay/orders/:outTradeNo` → data. Timestamps are ISO 8601 strings. */
export const orderViewSchema = z.object({
  outTradeNo: z.string(),
  amountFen: z.number().int(),
  description: z.string(),
  status: orderStatusSchema,
  createdAt: z.string(),
  paidAt: z.string().optional(),
  transactionId: z.string().optional(),
  refundedFen: z.number().int(),
  /** The product bought, its unit price and the units (absent on orders placed before products existed). */
  productId: z.string().optional(),
  unitPriceFen: z.number().int().optional(),
  quantity: z.number().int().optional(),
});
export type OrderView = z.infer<typeof orderViewSchema>;

/** `GET /api/wechat/pay/orders?limit=&cursor=` (newest first; pass `nextCursor` back for the next page). */
export const ordersQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(200).optional(),
});
export type OrdersQuery = z.infer<typeof ordersQuerySchema>;

export const ordersPageSchema = z.object({
  orders: z.array(orderViewSchema),
  nextCursor: z.string().nullable(),
});
export type OrdersPage = z.infer<typeof ordersPageSchema>;

/** `POST /api/admin/orders/:outTradeNo/refund`. */
export const refundRequestSchema = z.strictObject({
  amountFen: z.number().int().min(MIN_AMOUNT_FEN).max(MAX_AMOUNT_FEN),
  reason: z
    .string()
    .trim()
    .min(1)
    // Never more characters than bytes: keeps the bound visible in the OpenAPI document too.
    .max(MAX_REFUND_REASON_BYTES)
    .refine(
      (value) => utf8Bytes(value) <= MAX_REFUND_REASON_BYTES,
      `at most ${MAX_REFUND_REASON_BYTES} UTF-8 bytes (a Chinese character is 3)`,
    )
    .optional(),
});
export type RefundRequest = z.infer<typeof refundRequestSchema>;

/**
 * The admin refund's `Idempotency-Key` header: any 1–64 visible ASCII characters (a UUID fits). The same key on the
 * same order with the same body returns the refund it first made, never a second one; with another body it is
 * refused (422 `idempotency_key_reused`).
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,64}$/, 'at most 64 visible ASCII characters (a UUID fits)');

export const refundStatusSchema = z.enum(['PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL']);
export type RefundStatus = z.infer<typeof refundStatusSchema>;

export const refundViewSchema = z.object({
  outRefundNo: z.string(),
  outTradeNo: z.string(),
  amountFen: z.number().int(),
  status: refundStatusSchema,
  refundId: z.string().optional(),
  createdAt: z.string(),
});
export type RefundView = z.infer<typeof refundViewSchema>;
