import { randomBase62 } from './create-nonce';
import { beijingParts } from './pay-time';

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * A 32-character `out_trade_no`: `yyyyMMddHHmmssSSS` in Beijing time, then 15 random base62
 * characters (≈ 89 bits). Digits sort before letters in ASCII and the time part has a fixed
 * width, so string order follows creation time (to the millisecond).
 */
export function createOutTradeNo(now: Date = new Date()): string {
  const p = beijingParts(now);
  if (p.year < 1000 || p.year > 9999) throw new RangeError('out_trade_no needs a four-digit year');
  const time =
    pad(p.year, 4) +
    pad(p.month, 2) +
    pad(p.day, 2) +
    pad(p.hour, 2) +
    pad(p.minute, 2) +
    pad(p.second, 2) +
    pad(p.millisecond, 3);
  return time + randomBase62(15);
}
