import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// 248 = 4 × 62: bytes at or above it are skipped so every character is equally likely (no modulo bias).
const LIMIT = 248;

/**
 * Random [A-Za-z0-9] strings from the CSPRNG, drawn from a pre-filled pool. Same alphabet and the same rejection
 * sampling as wechat-core's `createNonce`, but one `randomFillSync` per 4 KB instead of one per nonce: on the
 * JS-SDK hot path the per-call syscall cost more than the signature itself.
 */
export function createNoncePool(poolBytes = 4096): (length: number) => string {
  const pool = Buffer.alloc(poolBytes);
  let offset = poolBytes;
  return (length) => {
    let out = '';
    while (out.length < length) {
      if (offset >= poolBytes) {
        randomFillSync(pool);
        offset = 0;
      }
      const byte = pool[offset++]!;
      if (byte < LIMIT) out += ALPHABET.charAt(byte % 62);
    }
    return out;
  };
}
