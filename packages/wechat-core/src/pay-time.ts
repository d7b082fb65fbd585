import { PayTimeParseError } from './pay-time-parse-error';

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const SPACED = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The parts of `date` as wall-clock time in Beijing (UTC+8, no DST). */
export function beijingParts(date: Date): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
} {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError('invalid Date');
  const shifted = new Date(time + BEIJING_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
  };
}

/** `yyyyMMddHHmmss` in Beijing time, the format of `time_start`, `time_expire` and `time_end`. */
export function formatPayTime(date: Date): string {
  const p = beijingParts(date);
  return `${pad(p.year, 4)}${pad(p.month, 2)}${pad(p.day, 2)}${pad(p.hour, 2)}${pad(p.minute, 2)}${pad(p.second, 2)}`;
}

/**
 * Parses a WeChat Beijing-time string into an instant. Accepts `yyyyMMddHHmmss` (`time_end`)
 * and `yyyy-MM-dd HH:mm:ss` (the refund notify's `success_time`). Rejects impossible dates
 * such as `20240230…` rather than rolling them over.
 */
export function parsePayTime(input: string): Date {
  if (typeof input !== 'string') throw new PayTimeParseError(String(input), 'pay time must be a string');
  const match = COMPACT.exec(input) ?? SPACED.exec(input);
  if (match === null) {
    throw new PayTimeParseError(input, `not yyyyMMddHHmmss or yyyy-MM-dd HH:mm:ss: ${JSON.stringify(input)}`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second) - BEIJING_OFFSET_MS);
  if (
    year < 1970 ||
    formatPayTime(date) !== `${match[1]}${match[2]}${match[3]}${match[4]}${match[5]}${match[6]}`
  ) {
    throw new PayTimeParseError(input, `not a real date and time: ${JSON.stringify(input)}`);
  }
  return date;
}
