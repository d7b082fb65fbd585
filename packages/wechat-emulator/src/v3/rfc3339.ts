import { formatPayTime } from '@wxh5/wechat-core';

/** `2026-12-02T10:50:12+08:00`: v3 writes times in Beijing time with the offset. */
export function formatRfc3339(ms: number): string {
  const c = formatPayTime(new Date(ms));
  return `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)}T${c.slice(8, 10)}:${c.slice(10, 12)}:${c.slice(12, 14)}+08:00`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 time with an explicit offset, or null (no offset, impossible date). */
export function parseRfc3339(value: string): number | null {
  if (!RFC3339.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March; a real RFC 3339 date must round-trip its day.
  const [, month = '', day = ''] = /^\d{4}-(\d{2})-(\d{2})/.exec(value) ?? [];
  const offsetMatch = /([+-])(\d{2}):(\d{2})$/.exec(value);
  const offsetMin = offsetMatch
    ? (offsetMatch[1] === '-' ? -1 : 1) * (Number(offsetMatch[2]) * 60 + Number(offsetMatch[3]))
    : 0;
  const local = new Date(ms + offsetMin * 60_000);
  if (local.getUTCMonth() + 1 !== Number(month) || local.getUTCDate() !== Number(day)) return null;
  return ms;
}
