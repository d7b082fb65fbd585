import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// 248 = 4 * 62: bytes at or above it are dropped so every character is equally likely.
const LIMIT = 248;

/** `length` random characters of [A-Za-z0-9] from the CSPRNG, without modulo bias. */
export function randomBase62(length: number): string {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`length must be a non-negative integer, got ${String(length)}`);
  }
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte < LIMIT) out += ALPHABET.charAt(byte % 62);
      if (out.length === length) break;
    }
  }
  return out;
}

/** A `nonce_str` / `nonceStr` / `noncestr`: WeChat allows at most 32 characters. */
export function createNonce(length = 32): string {
  if (length < 1) throw new RangeError('a nonce needs at least one character');
  return randomBase62(length);
}
