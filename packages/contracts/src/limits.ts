/**
 * Plain constants with no runtime dependency, importable from `@wxh5/contracts/limits` by the H5 without pulling
 * zod into its bundle.
 */
export const MIN_AMOUNT_FEN = 1;
export const MAX_AMOUNT_FEN = 100_000_000;
export const MAX_DESCRIPTION_LENGTH = 40;
/** WeChat's own limits, in UTF-8 bytes (a Chinese character is 3): unifiedorder `body`, refund `refund_desc`. */
export const MAX_DESCRIPTION_BYTES = 128;
export const MAX_REFUND_REASON_BYTES = 80;
/** Units of one product in one order. */
export const MAX_QUANTITY = 99;
/** A product's description (shown on its page; not sent to WeChat). */
export const MAX_PRODUCT_DETAILS_LENGTH = 500;
