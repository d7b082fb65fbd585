import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AeadDecryptError } from './aead-decrypt-error';
import { createApiV3Key, decryptAeadAesGcm, encryptAeadAesGcm } from './aead-aes-gcm';

const key = '0123456789abcdef0123456789abcdef';

function reasonOf(run: () => unknown): string {
  try {
    run();
    return 'decrypted';
  } catch (error) {
    if (error instanceof AeadDecryptError) return error.reason;
    throw error;
  }
}

describe('AEAD_AES_256_GCM', () => {
  it('round-trips any UTF-8 text with any associated data', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 64 }),
        fc.constantFrom('', 'transaction', 'refund'),
        (text, aad) => {
          const resource = encryptAeadAesGcm(text, key, { associatedData: aad });
          expect(resource.nonce).toMatch(/^[A-Za-z0-9]{12}$/);
          return decryptAeadAesGcm(resource, key) === text;
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses another APIv3 key, another nonce, other associated data and an altered ciphertext', () => {
    const resource = encryptAeadAesGcm('{"trade_state":"SUCCESS"}', key, { associatedData: 'transaction' });
    expect(reasonOf(() => decryptAeadAesGcm(resource, createApiV3Key()))).toBe('auth_failed');
    expect(reasonOf(() => decryptAeadAesGcm({ ...resource, nonce: 'AAAAAAAAAAAA' }, key))).toBe(
      'auth_failed',
    );
    expect(reasonOf(() => decryptAeadAesGcm({ ...resource, associated_data: 'refund' }, key))).toBe(
      'auth_failed',
    );
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(
      reasonOf(() => decryptAeadAesGcm({ ...resource, ciphertext: bytes.toString('base64') }, key)),
    ).toBe('auth_failed');
  });

  it.each([
    [
      'a 31-byte key',
      { ciphertext: 'AAAAAAAAAAAAAAAAAAAAAAAA', nonce: 'abcdefghijkl' },
      key.slice(1),
      'bad_key',
    ],
    ['no nonce', { ciphertext: 'AAAAAAAAAAAAAAAAAAAAAAAA', nonce: '' }, key, 'bad_input'],
    ['a ciphertext that is not base64', { ciphertext: '%%%', nonce: 'abcdefghijkl' }, key, 'bad_input'],
    ['a ciphertext shorter than the tag', { ciphertext: 'AAAA', nonce: 'abcdefghijkl' }, key, 'bad_input'],
    ['another algorithm', { algorithm: 'AES_128_CBC', ciphertext: 'AAAA', nonce: 'x' }, key, 'bad_input'],
  ])('refuses %s', (_, resource, apiV3Key, reason) => {
    expect(reasonOf(() => decryptAeadAesGcm(resource, apiV3Key))).toBe(reason);
  });

  it('creates 32-character APIv3 keys', () => {
    expect(createApiV3Key()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
