/**
 * Plain constants with no runtime dependency, importable from `@wxh5/contracts/limits` by the H5 without pulling
 * zod into its bundle.
 */
export const MIN_AMOUNT_FEN = 1;
export const MAX_AMOUNT_FEN = 100_000_000;
export const MAX_DESCRIPTION_LENGTH = 40;
