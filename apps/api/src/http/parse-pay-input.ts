import { outTradeNoSchema, productIdSchema } from '@wxh5/contracts';
import type { z } from 'zod';
import { apiError } from '../shared/api-error';
import { describeZodError } from './handle-errors';

/** The `:outTradeNo` route parameter. A malformed id cannot be anyone's order: 404, like a missing one. */
export function parseOutTradeNoParam(value: string | undefined): string {
  const parsed = outTradeNoSchema.safeParse(value);
  if (!parsed.success) throw apiError('order_not_found', 'No such order.');
  return parsed.data;
}

/**
 * A JSON body carrying an amount (payWallet and refund: `amountFen`, a product: `priceFen`), parsed with its contract
 * schema: a problem with the amount is `invalid_amount`, anything else (unknown fields, a bad quantity or title)
 * `invalid_request`; both 400.
 */
export function parseAmountBody<T extends z.ZodType>(
  schema: T,
  body: unknown,
  amountField: 'amountFen' | 'priceFen' = 'amountFen',
): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const message = describeZodError(parsed.error);
  if (parsed.error.issues.some((issue) => issue.path[0] === amountField)) {
    throw apiError('invalid_amount', `${amountField} must be a positive integer number of fen (${message})`);
  }
  throw apiError('invalid_request', message);
}

/** The `:productId` route parameter (admin): well formed or 400. */
export function parseProductIdParam(value: string | undefined): string {
  const parsed = productIdSchema.safeParse(value);
  if (!parsed.success) {
    throw apiError('invalid_request', `productId: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}
