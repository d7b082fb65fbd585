// The api's limits, from the zod-free subpath so the schemas stay out of the page's bundle.
import { MAX_AMOUNT_FEN, MIN_AMOUNT_FEN } from '@wxh5/contracts/limits';
import { InvalidAmountError, yuanToFen } from '@wxh5/wechat-core/money';
import type { AmountProblem } from '@/shared/i18n/messages/zh-cn';

export type AmountParse = { ok: true; amountFen: number } | { ok: false; problem: AmountProblem };

/**
 * What a Chinese keyboard types, made ASCII: full-width digits (`１２`), the full-width dot and the ideographic
 * full stop (`．` `。`), a full-width minus (`－`, refused later as negative) and full-width spaces.
 */
export function normaliseAmountInput(input: string): string {
  return input
    .replace(/[\uff10-\uff19]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[．。]/g, '.')
    .replace(/－/g, '-')
    .replace(/\u3000/g, ' ')
    .trim();
}

/**
 * Read the amount field (yuan, as typed) into integer fen with string arithmetic (`yuanToFen`): `'12.34'` → 1234,
 * never 1233.9999. Accepts > 0, at most two decimals, at most the api's maximum; a refusal names its problem,
 * which the form words from the catalogue. `１２．３４` (full-width) reads as `12.34`.
 */
export function parseAmount(input: string): AmountParse {
  const typed = normaliseAmountInput(input);
  if (typed === '') return { ok: false, problem: 'empty' };
  let amountFen: number;
  try {
    amountFen = yuanToFen(typed);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    switch (error.reason) {
      case 'negative':
        return { ok: false, problem: 'not_positive' };
      case 'too_many_decimals':
        return { ok: false, problem: 'too_many_decimals' };
      case 'too_large':
        return { ok: false, problem: 'too_large' };
      default:
        return { ok: false, problem: 'not_a_number' };
    }
  }
  if (amountFen < MIN_AMOUNT_FEN) return { ok: false, problem: 'not_positive' };
  if (amountFen > MAX_AMOUNT_FEN) return { ok: false, problem: 'too_large' };
  return { ok: true, amountFen };
}
