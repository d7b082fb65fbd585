import { describe, expect, it } from 'vitest';
import { createNoncePool } from './create-nonce-pool';

describe('createNoncePool', () => {
  it('returns strings of the requested length over [A-Za-z0-9]', () => {
    const nonce = createNoncePool(64);
    for (const length of [1, 16, 32, 100])
      expect(nonce(length)).toMatch(new RegExp(`^[A-Za-z0-9]{${length}}$`));
  });

  it('does not repeat itself across pool refills', () => {
    const nonce = createNoncePool(32);
    const seen = new Set(Array.from({ length: 2000 }, () => nonce(16)));
    expect(seen.size).toBe(2000);
  });

  it('uses every character of the alphabet with roughly equal frequency', () => {
    const nonce = createNoncePool();
    const counts = new Map<string, number>();
    for (const char of nonce(62 * 500)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(300);
      expect(count).toBeLessThan(700);
    }
  });
});
