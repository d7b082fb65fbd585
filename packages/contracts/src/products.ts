import { z } from 'zod';
import {
  MAX_AMOUNT_FEN,
  MAX_DESCRIPTION_BYTES,
  MAX_DESCRIPTION_LENGTH,
  MAX_PRODUCT_DETAILS_LENGTH,
  MIN_AMOUNT_FEN,
} from './limits';

const utf8 = new TextEncoder();
const utf8Bytes = (value: string) => utf8.encode(value).length;

/**
 * A product's id: the merchant's own stable key (`course-ts`, `vip-month`), lowercase letters, digits and `-`, at most
 * 32. It appears in URLs (`/products/:productId`) and on every order bought from it.
 */
export const productIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and "-", at most 32, not starting with "-"');
export type ProductId = z.infer<typeof productIdSchema>;

/**
 * What the user sees of a product (`GET /api/wechat/pay/products` lists the active ones). `priceFen` is the price of
 * one unit; for a product that allows a custom amount (a tip, a top-up) it is the suggested amount the page starts
 * from, and the user may pay any amount within the limits instead.
 */
export const productViewSchema = z.object({
  id: productIdSchema,
  title: z.string(),
  description: z.string(),
  priceFen: z.number().int(),
  allowCustomAmount: z.boolean(),
});
export type ProductView = z.infer<typeof productViewSchema>;

export const productListSchema = z.object({ products: z.array(productViewSchema) });
export type ProductList = z.infer<typeof productListSchema>;

/** The merchant's view (`GET /api/admin/products`): inactive products too, with their timestamps. */
export const adminProductViewSchema = productViewSchema.extend({
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AdminProductView = z.infer<typeof adminProductViewSchema>;

export const adminProductListSchema = z.object({ products: z.array(adminProductViewSchema) });
export type AdminProductList = z.infer<typeof adminProductListSchema>;

/**
 * `PUT /api/admin/products/:productId`: create the product or replace it (every field, so the request says the whole
 * product). The title becomes the order's description at WeChat (its `body` / `description`), hence WeChat's
 * limit of 128 UTF-8 bytes. Deactivating (`active: false`) hides it from the list and refuses new orders; orders
 * already placed keep their price. Unknown fields are rejected.
 */
export const productUpsertSchema = z.strictObject({
  title: z
    .string()
    .trim()
    .min(1)
    .max(MAX_DESCRIPTION_LENGTH)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters')
    .refine(
      (value) => utf8Bytes(value) <= MAX_DESCRIPTION_BYTES,
      `at most ${MAX_DESCRIPTION_BYTES} UTF-8 bytes`,
    ),
  description: z.string().trim().max(MAX_PRODUCT_DETAILS_LENGTH).default(''),
  priceFen: z.number().int().min(MIN_AMOUNT_FEN).max(MAX_AMOUNT_FEN),
  allowCustomAmount: z.boolean().default(false),
  active: z.boolean().default(true),
});
export type ProductUpsert = z.infer<typeof productUpsertSchema>;
