// Browser-safe on purpose (the H5 imports `@wxh5/wechat-core/money`): no node: imports here.
import { InvalidAmountError } from './invalid-amount-error';

const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);
const AMOUNT = /^(\d+)(?:\.(\d*))?$/;

/**
 * Converts a yuan amount typed by a person (`'12'`, `'12.3'`, `'12.34'`, `'0.01'`) into integer
 * fen with string arithmetic only: `0.1 + 0.2` style float errors cannot happen. Strict: no
 * whitespace, sign, exponent, leading zeros (`'012'`) or more than two decimals. Zero is allowed;
 * callers decide their own minimum.
 */
export function yuanToFen(yuan: string): number {
  if (typeof yuan !== 'string')
    throw new InvalidAmountError('not_string', 'the amount must be a string of yuan');
  if (yuan === '') throw new InvalidAmountError('empty', 'the amount is empty');
  if (yuan.startsWith('-')) throw new InvalidAmountError('negative', 'the amount is negative');
  if (yuan.startsWith('+')) throw new InvalidAmountError('plus_sign', 'the amount has a leading +');
  if (/[eE]/.test(yuan)) throw new InvalidAmountError('exponent', 'the amount uses an exponent');
  const match = AMOUNT.exec(yuan);
  const whole = match?.[1];
  const fraction = match?.[2];
  if (whole === undefined || fraction === '' || (whole.length > 1 && whole.startsWith('0'))) {
    throw new InvalidAmountError('malformed', `not an amount in yuan: ${JSON.stringify(yuan)}`);
  }
  if (fraction !== undefined && fraction.length > 2) {
    throw new InvalidAmountError('too_many_decimals', 'the amount has more than two decimals');
  }
  const digits = (whole + (fraction ?? '').padEnd(2, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_SAFE.length || (digits.length === MAX_SAFE.length && digits > MAX_SAFE)) {
    throw new InvalidAmountError('too_large', 'the amount is too large');
  }
  return Number(digits);
}

/** Formats integer fen as yuan with exactly two decimals: `1234` → `'12.34'`, `5` → `'0.05'`. */
export function fenToYuan(fen: number): string {
  if (typeof fen !== 'number' || !Number.isSafeInteger(fen)) {
    throw new InvalidAmountError('not_integer', 'fen must be a safe integer');
  }
  if (fen < 0) throw new InvalidAmountError('negative', 'fen must not be negative');
  const digits = String(fen).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export { InvalidAmountError } from './invalid-amount-error';
export type { InvalidAmountReason } from './invalid-amount-error';
