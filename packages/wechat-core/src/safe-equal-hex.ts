import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of two hex signatures, case-insensitive (WeChat sends uppercase v2
 * signs, some SDKs lowercase). Length is not secret: unequal lengths return false at once.
 */
export function safeEqualHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toUpperCase(), 'utf8');
  const b = Buffer.from(received.toUpperCase(), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
