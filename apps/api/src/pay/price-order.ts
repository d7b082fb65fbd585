import { MAX_AMOUNT_FEN, MAX_DESCRIPTION_BYTES, MIN_AMOUNT_FEN } from '@wxh5/contracts';
import { apiError } from '../shared/api-error';
import type { Product } from './product-catalog';

/** What the user asked to buy: a product, and either a quantity (default 1) or, where allowed, an amount. */
export interface OrderRequest {
  productId: string;
  quantity?: number | undefined;
  amountFen?: number | undefined;
}

/** The server's price of an order: never taken from the client, except a custom amount where the product says so. */
export interface PricedOrder {
  productId: string;
  unitPriceFen: number;
  quantity: number;
  amountFen: number;
  /** The product's title, cut to WeChat's 128 UTF-8 bytes (the admin route refuses longer; another catalog may not). */
  description: string;
}

const utf8 = new TextEncoder();

/** `text` cut at a character boundary so that it is at most `maxBytes` UTF-8 bytes. */
function cutToBytes(text: string, maxBytes: number): string {
  if (utf8.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = utf8.encode(char).length;
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * Price an order from the catalog's product: unknown → `unknown_product`, inactive → `product_inactive`, an amount
 * for a fixed-price product → `custom_amount_not_allowed` (refused, never used), a total outside the limits →
 * `invalid_amount`. All are 400s thrown before anything is written or sent to WeChat.
 */
export function priceOrder(product: Product | undefined, request: OrderRequest): PricedOrder {
  if (!product) throw apiError('unknown_product', `No product "${request.productId}".`);
  if (!product.active) throw apiError('product_inactive', `"${product.title}" is no longer sold.`);
  let unitPriceFen: number;
  let quantity: number;
  if (request.amountFen !== undefined) {
    if (!product.allowCustomAmount) {
      throw apiError(
        'custom_amount_not_allowed',
        `"${product.title}" has a fixed price: send quantity, not amountFen.`,
      );
    }
    unitPriceFen = request.amountFen;
    quantity = 1;
  } else {
    unitPriceFen = product.priceFen;
    quantity = request.quantity ?? 1;
  }
  const amountFen = unitPriceFen * quantity;
  if (!Number.isSafeInteger(amountFen) || amountFen < MIN_AMOUNT_FEN || amountFen > MAX_AMOUNT_FEN) {
    throw apiError(
      'invalid_amount',
      `The order would cost ${amountFen} fen; an order is ${MIN_AMOUNT_FEN} to ${MAX_AMOUNT_FEN} fen.`,
    );
  }
  return {
    productId: product.id,
    unitPriceFen,
    quantity,
    amountFen,
    description: cutToBytes(product.title, MAX_DESCRIPTION_BYTES),
  };
}
