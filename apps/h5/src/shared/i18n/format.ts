import { fenToYuan } from '@wxh5/wechat-core/money';
import type { Locale } from './locale';

/**
 * `1234` → `'¥12.34'`, `100000000` → `'¥1,000,000.00'`: integer fen as yuan, the integer part grouped by `Intl`
 * for the locale and the two decimals taken from the string (no floating point anywhere). Always `¥`, never `CN¥`
 * or `元`: it is what WeChat's cashier shows.
 */
export function formatFen(amountFen: number, locale: Locale): string {
  const [whole = '0', cents = '00'] = fenToYuan(amountFen).split('.');
  return `¥${new Intl.NumberFormat(locale, { useGrouping: true }).format(BigInt(whole))}.${cents}`;
}

const timeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** An ISO timestamp as the reader's local date and time in the locale's order; the raw string if unparseable. */
export function formatTime(iso: string, locale: Locale): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = timeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(locale, format);
  }
  return format.format(date);
}
