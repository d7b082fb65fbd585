// The api's limits, from the zod-free subpath so the schemas stay out of the page's bundle.
import { MAX_AMOUNT_FEN, MIN_AMOUNT_FEN } from '@wxh5/contracts/limits';
import { InvalidAmountError, fenToYuan, yuanToFen } from '@wxh5/wechat-core/money';

export type AmountParse = { ok: true; amountFen: number } | { ok: false; message: string };

const MAX_LABEL = `¥${Number(fenToYuan(MAX_AMOUNT_FEN).split('.')[0]).toLocaleString('en-US')}`;

/**
 * Read the amount field (yuan, as typed) into integer fen with string arithmetic (`yuanToFen`): `'12.34'` → 1234,
 * never 1233.9999. Accepts > 0, at most two decimals, at most ¥1,000,000; every refusal is a sentence for the
 * field. Surrounding spaces are forgiven, and so is a full-width `．` or `,` typed by a Chinese keyboard.
 */
export function parseAmount(input: string): AmountParse {
  const typed = input.trim().replace(/[．。]/g, '.');
  if (typed === '') return { ok: false, message: 'Enter an amount in yuan, for example 12.34.' };
  let amountFen: number;
  try {
    amountFen = yuanToFen(typed);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    switch (error.reason) {
      case 'negative':
        return { ok: false, message: 'The amount must be more than ¥0.' };
      case 'too_many_decimals':
        return { ok: false, message: 'Use at most two decimals: the smallest unit is ¥0.01.' };
      case 'too_large':
        return { ok: false, message: `The amount can be at most ${MAX_LABEL}.` };
      default:
        return { ok: false, message: 'Enter a number in yuan, for example 12.34.' };
    }
  }
  if (amountFen < MIN_AMOUNT_FEN) return { ok: false, message: 'The amount must be more than ¥0.' };
  if (amountFen > MAX_AMOUNT_FEN) return { ok: false, message: `The amount can be at most ${MAX_LABEL}.` };
  return { ok: true, amountFen };
}
